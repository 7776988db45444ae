"""The natural Russian collation ``ru_natural`` on PostgreSQL (ICU, numeric ordering).

SQLite needs no migration: monitoring.shared.collation registers a collation of the same name
on every connection. Name columns use it through ``db_collation`` (the next migrations).
"""

from django.db import migrations

from monitoring.models.base import NATURAL
from monitoring.shared.collation import POSTGRES_CREATE


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP COLLATION IF EXISTS {NATURAL}")


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0015_export_failed"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
