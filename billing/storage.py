"""Where bill PDFs live: the "bills" storage (settings.STORAGES), never served directly."""

from django.core.files.storage import Storage, storages


def bill_files() -> Storage:
    return storages["bills"]
