"""local_path: a stored file read by path on a file-system storage, through a temporary copy otherwise."""

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage

from tawrid.core.storage import local_path


class Stored:
    """What a model's FileField gives: a name on a storage (the part of FieldFile local_path uses)."""

    def __init__(self, storage, name):
        self.storage, self.name = storage, name

    @property
    def path(self):
        return self.storage.path(self.name)

    def open(self, mode="rb"):
        return self.storage.open(self.name, mode)


def test_file_system_storage_gives_the_file_itself(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("trade/flows.csv", ContentFile(b"t,i,j,k,v,q\n"))
    with local_path(Stored(storage, name)) as path:
        assert path == tmp_path / name
    assert (tmp_path / name).is_file()  # never removed


def test_in_memory_storage_gives_a_temporary_copy_removed_on_exit():
    storage = InMemoryStorage()
    name = storage.save("trade/flows.csv", ContentFile(b"t,i,j,k,v,q\n2023,504,251,901831,1.5,2\n"))
    with local_path(Stored(storage, name)) as path:
        assert path.suffix == ".csv"
        assert path.read_bytes() == b"t,i,j,k,v,q\n2023,504,251,901831,1.5,2\n"
    assert not path.exists()
