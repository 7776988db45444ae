"""The upload checks: every refusal and its Russian message, and what passes.

Hostile inputs are built here (a zip bomb streamed through zipfile, HTML under an
.xlsx name, traversal names, …); real files from other programs live in corpus/.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.intake.package import safety
from monitoring.intake.package.safety import (
    Content,
    PackageFileError,
    PackageFormat,
    check_upload,
    check_zip,
    sniff,
    upload,
    workbooks,
    xlsx,
    zips,
)
from tests.monitoring.intake.package import hostile
from tests.paths import SPEC

CORPUS = Path(__file__).parent / "corpus"
SAMPLE_XLSX = SPEC / "sample-package.xlsx"
SAMPLE_ZIP = SPEC / "sample-package.zip"
LO_XLS = CORPUS / "libreoffice-sample.xls"
LO_ODS = CORPUS / "libreoffice-sample.ods"


def refusal(source, name=None) -> str:
    with pytest.raises(PackageFileError) as caught:
        check_upload(source, name=name)
    assert str(caught.value) == caught.value.message
    return caught.value.message


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make_zip(path: Path, entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


# --- what passes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (SAMPLE_XLSX, PackageFormat.XLSX),
        (SAMPLE_ZIP, PackageFormat.ZIP),
        (LO_XLS, PackageFormat.XLS),
        (LO_ODS, PackageFormat.ODS),
        (CORPUS / "libreoffice-sample.xlsx", PackageFormat.XLSX),
    ],
)
def test_real_files_pass(path, expected):
    assert check_upload(path) is expected


def test_xlsm_and_csv_pass(tmp_path):
    assert check_upload(put(tmp_path, "книга.xlsm", SAMPLE_XLSX.read_bytes())) is PackageFormat.XLSX
    assert check_upload(put(tmp_path, "Педагоги.csv", "Код;ФИО\n1;Иванов\n".encode("cp1251"))) is PackageFormat.CSV


def test_uploaded_file_object_passes_and_keeps_its_position():
    upload = SimpleUploadedFile("пакет.xlsx", SAMPLE_XLSX.read_bytes())
    upload.seek(10)
    assert check_upload(upload) is PackageFormat.XLSX
    assert upload.tell() == 10


def test_name_argument_overrides_the_file_name(tmp_path):
    path = put(tmp_path, "upload_tmp.bin", SAMPLE_ZIP.read_bytes())
    assert check_upload(path, name="пакет.zip") is PackageFormat.ZIP


@pytest.mark.parametrize(
    ("head", "content"),
    [
        (b"", Content.EMPTY),
        (b"PK\x03\x04rest", Content.ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", Content.OLE2),
        (b"\xef\xbb\xbf  \r\n<!DOCTYPE html><html>", Content.HTML),
        (b"\n\n<html><body><table>", Content.HTML),
        (b"<table border=1><tr><td>1</td></tr>", Content.HTML),
        (b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">', Content.HTML),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", Content.HTML),
        (
            b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>',
            Content.XML_SPREADSHEET,
        ),
        (b"%PDF-1.7\n", Content.PDF),
        (b"Rar!\x1a\x07\x00", Content.OTHER_ARCHIVE),
        ("Код,ФИО\n".encode(), Content.TEXT),
        ("Код;ФИО\n".encode("cp1251"), Content.TEXT),
        ("\ufeffКод\tФИО\n".encode("utf-16"), Content.TEXT),
        ("Код,ФИО".encode()[:-1], Content.TEXT),  # a head cut inside a character
        (b"\x00\x01\x02binary", Content.UNKNOWN),
    ],
)
def test_sniff(head, content):
    assert sniff(head) is content


# --- refusals by name, size and content ----------------------------------------------


def test_unsupported_extension(tmp_path):
    assert refusal(put(tmp_path, "отчёт.pdf", b"%PDF-1.7")) == (
        "Файл «отчёт.pdf» не подходит: загрузите книгу Excel (.xlsx, .xlsm или .xls), таблицу OpenDocument "
        "(.ods), файл CSV (.csv) или ZIP-архив с CSV-файлами (.zip)."
    )


def test_no_name():
    assert refusal(io.BytesIO(b"data")) == "Не удалось определить тип файла: у загруженного файла нет имени."


def test_missing_file(tmp_path):
    assert refusal(tmp_path / "нет.xlsx") == "Не удалось открыть файл «нет.xlsx»: файл не найден или нет доступа."


def test_empty_file(tmp_path):
    assert refusal(put(tmp_path, "пакет.xlsx", b"")) == (
        "Файл «пакет.xlsx» пустой (0 байт). Проверьте, что выбран нужный файл, и загрузите его снова."
    )


def test_too_big(tmp_path):
    path = tmp_path / "пакет.xlsx"
    with path.open("wb") as file:  # sparse: costs no disk
        file.truncate(safety.MAX_UPLOAD_BYTES + 1)
    assert refusal(path) == (
        "Файл «пакет.xlsx» слишком большой: 50,1 МБ, а можно загрузить не более 50 МБ. "
        "Разделите листы пакета на несколько файлов и загрузите их по очереди."
    )


def test_html_named_xlsx(tmp_path):
    page = b"\xef\xbb\xbf\r\n<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>"
    assert refusal(put(tmp_path, "x.xlsx", page)) == (
        "Файл «x.xlsx» — это веб-страница (HTML), а не книга Excel. "
        "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


def test_html_table_named_xls(tmp_path):
    assert refusal(put(tmp_path, "выгрузка.xls", b"<table><tr><td>1</td></tr></table>")) == (
        "Файл «выгрузка.xls» — это веб-страница (HTML), а не книга Excel. "
        "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


def test_html_named_csv(tmp_path):
    assert refusal(put(tmp_path, "Педагоги.csv", b"<html><body>")) == (
        "Файл «Педагоги.csv» — это веб-страница (HTML), а не файл CSV. "
        "Откройте его в Excel и сохраните как «CSV UTF-8 (разделитель — запятая)»."
    )


def test_old_xls_named_xlsx(tmp_path):
    path = put(tmp_path, "пакет.xlsx", LO_XLS.read_bytes())
    assert refusal(path) == (
        "Файл «пакет.xlsx» — это книга в старом формате Excel 97–2003, но у него расширение «.xlsx». "
        "Откройте файл в Excel и сохраните как «Книга Excel (*.xlsx)» или просто переименуйте его в «пакет.xls»."
    )


def test_ole2_header_alone_is_detected_as_old_excel(tmp_path):
    path = put(tmp_path, "пакет.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "старом формате Excel 97–2003" in refusal(path)


@pytest.mark.parametrize("name", ["пакет.xlsx", "пакет.xls"])
def test_password_protected_xlsx(tmp_path, name):
    path = put(tmp_path, name, (CORPUS / "encrypted.xlsx").read_bytes())
    assert refusal(path) == (
        f"Файл «{name}» защищён паролем, поэтому прочитать его нельзя. Откройте его в Excel, снимите пароль "
        "(Файл → Сведения → Защита книги → Зашифровать с использованием пароля → очистите поле) и сохраните заново."
    )


def test_real_xls_is_not_taken_for_encrypted():
    assert upload._is_encrypted_ooxml(LO_XLS) is False
    assert upload._is_encrypted_ooxml(CORPUS / "encrypted.xlsx") is True


def test_text_named_xlsx(tmp_path):
    assert refusal(put(tmp_path, "пакет.xlsx", "Код;ФИО\n1;Иванов\n".encode("cp1251"))) == (
        "Файл «пакет.xlsx» — это текстовый файл, а не книга Excel. Если это CSV, дайте файлу расширение «.csv»; "
        "иначе откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


def test_xml_spreadsheet_2003(tmp_path):
    data = b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
    assert refusal(put(tmp_path, "пакет.xls", data)) == (
        "Файл «пакет.xls» сохранён в формате «Таблица XML 2003», а не как книга Excel. "
        "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


def test_pdf_named_xlsx(tmp_path):
    assert refusal(put(tmp_path, "пакет.xlsx", b"%PDF-1.7\n...")) == (
        "Файл «пакет.xlsx» — это документ PDF, а не книга Excel. Загрузите книгу Excel (.xlsx), "
        "файл CSV или ZIP-архив с CSV-файлами."
    )


def test_rar_named_zip(tmp_path):
    assert refusal(put(tmp_path, "пакет.zip", b"Rar!\x1a\x07\x01\x00")) == (
        "Файл «пакет.zip» — это архив RAR, 7-Zip или GZIP, а не ZIP-архив с CSV-файлами. Загрузите книгу Excel "
        "(.xlsx), файл CSV или ZIP-архив с CSV-файлами."
    )


def test_unknown_binary_named_csv(tmp_path):
    assert refusal(put(tmp_path, "Педагоги.csv", b"\x00\x01\x02\x03garbage")) == (
        "Не удалось распознать содержимое файла «Педагоги.csv»: это не книга Excel, не таблица OpenDocument "
        "и не CSV. Возможно, файл повреждён или выбран не тот файл."
    )


def test_zip_named_csv(tmp_path):
    assert refusal(put(tmp_path, "Педагоги.csv", SAMPLE_ZIP.read_bytes())) == (
        "Файл «Педагоги.csv» — это ZIP-архив или книга Excel, а не файл CSV. Если это архив с CSV-файлами, "
        "дайте файлу расширение «.zip»; если книга Excel — расширение «.xlsx»."
    )


def test_xlsx_named_xls(tmp_path):
    assert refusal(put(tmp_path, "пакет.xls", SAMPLE_XLSX.read_bytes())) == (
        "Файл «пакет.xls» — это книга Excel нового формата (.xlsx) или архив, но у него расширение «.xls». "
        "Переименуйте его в «пакет.xlsx» или откройте в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


# --- zip-based files: flavour against extension --------------------------------------


def test_workbook_named_zip(tmp_path):
    assert refusal(put(tmp_path, "пакет.zip", SAMPLE_XLSX.read_bytes())) == (
        "Файл «пакет.zip» — это книга Excel (.xlsx), но у него расширение «.zip». "
        "Переименуйте его в «пакет.xlsx» и загрузите снова."
    )


def test_csv_zip_named_xlsx(tmp_path):
    assert refusal(put(tmp_path, "пакет.xlsx", SAMPLE_ZIP.read_bytes())) == (
        "Файл «пакет.xlsx» — это ZIP-архив, а не книга Excel. Если в архиве CSV-файлы пакета, "
        "дайте файлу расширение «.zip»; если в нём книга Excel, извлеките её и загрузите саму книгу."
    )


def test_ods_named_xlsx(tmp_path):
    assert refusal(put(tmp_path, "пакет.xlsx", LO_ODS.read_bytes())) == (
        "Файл «пакет.xlsx» — это таблица OpenDocument (.ods), но у него расширение «.xlsx». "
        "Переименуйте его в «пакет.ods» и загрузите снова."
    )


def test_xlsx_named_ods(tmp_path):
    assert refusal(put(tmp_path, "пакет.ods", SAMPLE_XLSX.read_bytes())) == (
        "Файл «пакет.ods» — это книга Excel (.xlsx), но у него расширение «.ods». "
        "Переименуйте его в «пакет.xlsx» и загрузите снова."
    )


def test_word_document_named_xlsx(tmp_path):
    path = make_zip(tmp_path / "пакет.xlsx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert refusal(path) == (
        "Файл «пакет.xlsx» — это документ Word или PowerPoint, а не книга Excel. "
        "Загрузите книгу Excel (.xlsx), файл CSV или ZIP-архив с CSV-файлами."
    )


def test_xlsb(tmp_path):
    path = make_zip(tmp_path / "пакет.xlsx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00"})
    assert refusal(path) == (
        "Файл «пакет.xlsx» сохранён в формате «Двоичная книга Excel (*.xlsb)», который не поддерживается. "
        "Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)»."
    )


# --- zip limits ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """200 MB of zeros in one entry, ~200 KB on disk, streamed so it never sits in memory."""
    path = tmp_path_factory.mktemp("bomb") / "пакет.zip"
    block = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("Педагоги.csv", "w") as entry:
        for _ in range(200):
            entry.write(block)
    return path


def test_zip_bomb(zip_bomb):
    assert zip_bomb.stat().st_size < 300 * 1024
    message = refusal(zip_bomb)
    ratio = round(200 * 1024 * 1024 / zipfile.ZipFile(zip_bomb).infolist()[0].compress_size)
    assert ratio > 1000
    assert message == (
        f"Файл «пакет.zip» сжат подозрительно сильно: «Педагоги.csv» занимает в {ratio} раз больше, чем в архиве "
        "(допускается не более чем в 200 раз). Так выглядят «zip-бомбы», поэтому файл не принят. "
        "Если вы сохраняли его сами, откройте его в Excel и сохраните заново."
    )


def test_zip_bomb_named_xlsx_is_refused_as_a_bomb(zip_bomb, tmp_path):
    path = tmp_path / "пакет.xlsx"
    shutil.copy(zip_bomb, path)
    assert "zip-бомбы" in refusal(path)


def test_small_entries_are_exempt_from_the_ratio(tmp_path):
    path = make_zip(tmp_path / "пакет.zip", {"Регион.csv": b" " * 500_000})  # compresses ~1000x
    assert check_upload(path) is PackageFormat.ZIP


def test_too_many_entries(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(zips.MAX_ZIP_ENTRIES + 1):
            archive.writestr(f"{number}.csv", b"")
    assert refusal(path) == (
        "В файле «пакет.zip» слишком много вложенных файлов: 10 001, а допускается не более 10 000. "
        "Такой файл не похож на пакет данных мониторинга."
    )


def test_too_many_entries_found_by_zipfile_when_the_end_record_hides_them(tmp_path, monkeypatch):
    path = make_zip(tmp_path / "пакет.zip", {f"{n}.csv": b"" for n in range(5)})
    monkeypatch.setattr(zips, "_declared_entry_count", lambda fp: None)
    monkeypatch.setattr(zips, "MAX_ZIP_ENTRIES", 4)
    assert "слишком много вложенных файлов: 5" in refusal(path)


def test_declared_entry_count_reads_the_end_record():
    with SAMPLE_ZIP.open("rb") as file:
        assert zips._declared_entry_count(file) == 22


def test_declared_entry_count_of_a_zip64_archive(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(3):
            archive.writestr(f"{number}.csv", b"x")
    data = bytearray(buffer.getvalue())
    # Rewrite the end record as a zip64 writer would: 0xFFFF counts, a locator and a
    # zip64 end record that holds the real count.
    end = data.rfind(b"PK\x05\x06")
    _, _, _, _, count, cd_size, cd_offset, _ = zips._EOCD.unpack_from(data, end)
    zip64_end = zips._ZIP64_EOCD.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, cd_size, cd_offset)
    locator = zips._ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, end, 1)
    eocd = zips._EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, cd_size, cd_offset, 0)
    patched = bytes(data[:end]) + zip64_end + locator + eocd
    assert zips._declared_entry_count(io.BytesIO(patched)) == 3


def test_total_unpacked_size(tmp_path, monkeypatch):
    monkeypatch.setattr(zips, "MAX_UNPACKED_BYTES", 2 * 1024 * 1024)
    sheet = b"<row/>" * (512 * 1024)  # 3 MiB, stored: no ratio to trip over
    path = make_zip(tmp_path / "пакет.xlsx", {"xl/worksheets/sheet1.xml": sheet}, zipfile.ZIP_STORED)
    assert refusal(path) == (
        "Файл «пакет.xlsx» после распаковки занимает 3,0 МБ, а допускается не более 2 МБ. "
        "Разделите листы пакета на несколько файлов и загрузите их по очереди."
    )


def test_total_unpacked_size_of_csv_zip_has_its_own_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(zips, "MAX_CSV_UNPACKED_BYTES", 2 * 1024 * 1024)
    path = make_zip(tmp_path / "пакет.zip", {"Педагоги.csv": b"x" * 3 * 1024 * 1024}, zipfile.ZIP_STORED)
    assert refusal(path) == (
        "Файл «пакет.zip» после распаковки занимает 3,0 МБ, а допускается не более 2 МБ. "
        "Разделите листы пакета на несколько файлов и загрузите их по очереди."
    )


@pytest.mark.parametrize(
    "entry", ["../evil.csv", "Пакет/../../evil.csv", "/etc/evil.csv", "C:\\evil.csv", "..\\evil.csv"]
)
def test_path_traversal(tmp_path, entry):
    path = make_zip(tmp_path / "пакет.zip", {"Педагоги.csv": b"a\n", entry: b"a\n"})
    shown = entry.replace("\\", "/")  # names are shown with "/" whatever the writer used
    assert refusal(path) == (
        f"В архиве «пакет.zip» есть файл с недопустимым путём «{shown}» (путь от корня диска или с «..»). "
        "Создайте архив заново, положив в него только CSV-файлы пакета."
    )


def test_names_with_dots_are_not_traversal(tmp_path):
    path = make_zip(tmp_path / "пакет.zip", {"Пакет..2025/Педагоги.csv": b"a\n", "..Курсы.csv": b"a\n"})
    check_zip(path, expected=PackageFormat.ZIP)


def test_password_protected_zip(tmp_path):
    path = make_zip(tmp_path / "пакет.zip", {"Педагоги.csv": b"a\n"})
    data = bytearray(path.read_bytes())
    # Python cannot write encrypted entries; set the "encrypted" flag (bit 0) in the
    # local and the central header as an encrypting tool would.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        flags = struct.unpack_from("<H", data, at + flag_offset)[0]
        struct.pack_into("<H", data, at + flag_offset, flags | 0x1)
    path.write_bytes(bytes(data))
    assert refusal(path) == (
        "Архив «пакет.zip» защищён паролем, поэтому прочитать его нельзя. Создайте архив без пароля "
        "и загрузите его снова."
    )


@pytest.mark.parametrize(
    ("name", "noun"),
    [("пакет.xlsx", "книга Excel"), ("пакет.zip", "ZIP-архив с CSV-файлами"), ("пакет.ods", "таблица OpenDocument")],
)
def test_corrupt_zip(tmp_path, name, noun):
    path = put(tmp_path, name, b"PK\x03\x04" + bytes(range(256)) * 4)
    assert refusal(path) == (
        f"Файл «{name}» повреждён: его не удаётся открыть как {noun}. Возможно, он загружен "
        "не полностью — сохраните его заново и повторите загрузку."
    )


def test_truncated_workbook(tmp_path):
    data = SAMPLE_XLSX.read_bytes()
    path = put(tmp_path, "пакет.xlsx", data[: len(data) // 2])
    assert "повреждён: его не удаётся открыть как книга Excel" in refusal(path)


def test_check_zip_on_a_file_object_restores_its_position():
    upload = SimpleUploadedFile("пакет.zip", SAMPLE_ZIP.read_bytes())
    upload.seek(5)
    check_zip(upload, expected=PackageFormat.ZIP)
    assert upload.tell() == 5


def test_error_is_an_exception_with_the_message():
    error = PackageFileError("Файл «x» пустой.")
    assert str(error) == error.message == "Файл «x» пустой."
    assert isinstance(error, Exception)


# --- what the sheets declare (check_extent) --------------------------------------------


def extent_refusal(data: bytes, filename: str) -> str:
    with pytest.raises(PackageFileError) as caught:
        safety.check_extent(
            io.BytesIO(data), name=filename, package_format=check_upload(io.BytesIO(data), name=filename)
        )
    return caught.value.message


@pytest.mark.parametrize("case", hostile.HOSTILE, ids=[case.label for case in hostile.HOSTILE])
def test_hostile_workbooks_are_refused_naming_the_file_and_the_sheet(case):
    message = extent_refusal(case.build(), case.filename)
    assert f"«{case.filename}»" in message and case.words in message
    if case.sheet is not None:
        assert f"«{case.sheet}»" in message


def test_the_corner_cell_message_in_full():
    data = hostile.xlsx_lying_dimension()
    assert extent_refusal(data, "штат.xlsx") == (
        "Слишком широкий лист «Педагоги» книги «штат.xlsx»: в нём заполнен столбец XFD (16 384-й), а допускается "
        "не более 256 столбцов (в самом широком листе пакета, «Диагностика», их 63). Удалите лишние столбцы справа "
        "от таблицы и сохраните файл заново."
    )


@pytest.mark.parametrize(
    "path",
    [SAMPLE_XLSX, LO_XLS, LO_ODS, CORPUS / "libreoffice-sample.xlsx", CORPUS / "libreoffice-offset.ods"],
)
def test_real_workbooks_pass_the_extent_checks(path):
    # LibreOffice's .ods ends every sheet in a row of empty cells repeated ~1,048,000
    # times; calamine allocates nothing for it, and neither is it counted.
    safety.check_extent(path, name=path.name, package_format=check_upload(path))


def test_a_region_size_sheet_passes():
    # «Диагностика» of a region: 63 columns, 36,000 rows, every cell filled.
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{safety.column_letters(c)}{r}"><v>{c % 4 + 1}</v></c>' for c in range(1, 64))
        + "</row>"
        for r in range(1, 36_001)
    ).encode()
    data = hostile.replace_sheet_data(hostile.openpyxl_book({"A1": 1}), b"<sheetData>" + rows + b"</sheetData>")
    extents = list(safety.iter_extents(io.BytesIO(data), name="пакет.xlsx", package_format=PackageFormat.XLSX))
    sheet = next(e for e in extents if e.sheet == "Педагоги")
    assert (sheet.rows, sheet.columns, sheet.filled) == (36_000, 63, 36_000 * 63)


def test_formatted_empty_cells_far_out_do_not_count():
    # Excel writes a styled empty cell as <c r="…" s="1"/>; calamine skips it.
    sheet_data = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>'
    )
    data = hostile.replace_sheet_data(hostile.openpyxl_book({"A1": "x"}), sheet_data, dimension=b"A1")
    [extent] = [e for e in safety.iter_extents(io.BytesIO(data), name="к.xlsx", package_format=PackageFormat.XLSX)]
    assert (extent.rows, extent.columns, extent.filled) == (1, 1, 1)


def test_a_row_beyond_the_last_sheet_row_is_refused():
    data = hostile.replace_sheet_data(
        hostile.openpyxl_book({"A1": "x"}), b'<sheetData><row r="2000000"><c><v>1</v></c></row></sheetData>', b"A1"
    )
    assert "ссылается на строку 2 000 000" in extent_refusal(data, "к.xlsx")


def test_the_whole_workbook_is_bounded_too(monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_TOTAL_CELLS", 1000)
    message = extent_refusal(SAMPLE_XLSX.read_bytes(), "пакет.xlsx")
    assert message.startswith("В книге «пакет.xlsx» слишком много ячеек: вместе с листом «")


def _random_sheet(seed: int) -> bytes:
    """Cells in any order (some empty, some styled-empty), every one with its r="…"."""
    import random

    chance = random.Random(seed)
    rows = []
    for row in chance.sample(range(1, 400), 40):
        cells = []
        for column in chance.sample(range(1, 200), chance.randint(1, 12)):
            reference = f"{safety.column_letters(column)}{row}"
            cells.append(f'<c r="{reference}" s="1"/>' if chance.random() < 0.3 else f'<c r="{reference}"><v>1</v></c>')
        rows.append(f'<row r="{row}">{"".join(cells)}</row>')
    return ("<sheetData>" + "".join(rows) + "</sheetData>").encode()


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_path_agrees_with_the_general_one(seed):
    data = hostile.replace_sheet_data(hostile.openpyxl_book({"A1": 1}), _random_sheet(seed))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        fast, general = safety.SheetExtent(sheet="x"), safety.SheetExtent(sheet="x")
        assert xlsx._xlsx_fast_extent(archive, info, fast, "к.xlsx") is not None
        xlsx._xlsx_general_extent(archive, info, general, "к.xlsx")
    assert (fast.rows, fast.columns, fast.filled) == (general.rows, general.columns, general.filled)
    assert fast.rows and fast.columns


def test_column_letters():
    assert [safety.column_letters(n) for n in (1, 26, 27, 63, 256, 16384)] == ["A", "Z", "AA", "BK", "IV", "XFD"]


@pytest.mark.parametrize(
    ("cells", "columns"),
    [
        (b'<c r="A1"><v>1</v></c><c><v>2</v></c><c s="1"><v>3</v></c>', 3),  # without r: after the previous one
        (b'<c r="a1"><v>1</v></c><c r="e1"><v>2</v></c>', 5),  # lower case
        (b'<c s="1" r="G1"><v>1</v></c>', 7),  # r not first
        (b'<c r="C01"><v>1</v></c>', 3),  # a leading zero
    ],
)
def test_cells_in_other_shapes_are_measured_exactly(cells, columns):
    sheet_data = b'<sheetData><row r="1">' + cells + b"</row></sheetData>"
    data = hostile.replace_sheet_data(hostile.openpyxl_book({"A1": 1}), sheet_data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert xlsx._xlsx_fast_extent(archive, info, safety.SheetExtent(sheet="x"), "к.xlsx") is None
    [extent] = safety.iter_extents(io.BytesIO(data), name="к.xlsx", package_format=PackageFormat.XLSX)
    assert (extent.rows, extent.columns) == (1, columns)
