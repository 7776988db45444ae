"""How the demo writes rows: buffered per model, bulk_create in batches, never one query per row."""

from __future__ import annotations

from collections import Counter, defaultdict

BATCH_SIZE = 5000


class Writer:
    """Buffers rows per model and writes them with bulk_create in batches."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.buffers: dict[type, list] = defaultdict(list)
        self.counts: Counter[str] = Counter()

    def add(self, obj) -> None:
        buffer = self.buffers[type(obj)]
        buffer.append(obj)
        if len(buffer) >= self.batch_size:
            self._flush(type(obj))

    def create(self, objs: list) -> list:
        """Write now and return the objects with their primary keys."""
        if objs:
            type(objs[0]).objects.bulk_create(objs, batch_size=self.batch_size)
            self.counts[type(objs[0]).__name__] += len(objs)
        return objs

    def _flush(self, model: type) -> None:
        buffer = self.buffers[model]
        if buffer:
            model.objects.bulk_create(buffer, batch_size=self.batch_size)
            self.counts[model.__name__] += len(buffer)
            buffer.clear()

    def flush_all(self) -> None:
        for model in list(self.buffers):
            self._flush(model)
