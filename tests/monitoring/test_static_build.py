"""The production static build: the hashed, compressed storage that `collectstatic` fills with DEBUG off.

With DEBUG off the storage is whitenoise's CompressedManifestStaticFilesStorage, which rewrites
every url() and sourceMappingURL in the collected files to hashed names and stops on a reference
to a file that is not there. The vendored Bootstrap and Chart.js builds used to name source maps
that are not shipped, so the Dockerfile's `collectstatic` (and the load test's server) failed.
Only the project's own static folder is collected here: the apps' files (admin, ...) are
Django's and cost most of the build's time.
"""

from __future__ import annotations

import json

from django.core.management import call_command


def test_collectstatic_with_production_storage_builds_the_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap.min.css", "vendor/bootstrap.bundle.min.js", "vendor/chart.umd.min.js"):
        hashed = manifest[name]
        assert hashed != name
        assert (tmp_path / hashed).is_file()
        assert (tmp_path / f"{hashed}.gz").is_file()
