"""The reader: workbooks and CSV in every shape a region sends, row numbers as in Excel.

Files written by other programs (LibreOffice, an encrypting tool) are in corpus/; the
rest is made here: openpyxl workbooks, CSV in Windows-1251 and UTF-8, zips with cp866
names written the way Windows' "compressed folder" writes them.
"""

from __future__ import annotations

import datetime
import io
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from monitoring.intake.package.reader import (
    RawSheet,
    detect_delimiter,
    entry_name,
    header_text,
    read_package,
    read_package_in_process,
)
from monitoring.intake.package.safety import PackageFileError
from tests.monitoring.intake.package import hostile
from tests.paths import SPEC

# The spec folder sits beside the repository (…/main and …/shared), locally and in CI.

CORPUS = Path(__file__).parent / "corpus"
SAMPLE_XLSX = SPEC / "sample-package.xlsx"
SAMPLE_ZIP = SPEC / "sample-package.zip"

SHEETS = [
    "Регион",
    "Муниципалитеты",
    "Организации",
    "Педагоги",
    "Штатное расписание",
    "Диагностика",
    "Программы ДПП",
    "Курсы",
    "Обучение",
    "ИОМ",
    "Мероприятия ИОМ",
    "Экспертная деятельность",
    "Методический актив",
    "Проекты молодых педагогов",
    "Участники проектов",
    "Программы наставничества",
    "Наставничество",
    "Конкурсы",
    "Методические объединения",
    "Участники МО",
    "Мероприятия МО",
    "Цифровая среда",
]


def failure(source, **kwargs) -> str:
    with pytest.raises(PackageFileError) as caught:
        read_package_in_process(source, **kwargs)
    return caught.value.message


def shape(sheets: dict[str, RawSheet]) -> dict[str, tuple]:
    """What must agree between two files of the same package: headers and row numbers."""
    return {name: (sheet.headers, [number for number, _ in sheet.rows]) for name, sheet in sheets.items()}


def save_workbook(path: Path, sheets: dict[str, dict[str, object]]) -> Path:
    """A workbook from {sheet: {cell: value}}."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, cells in sheets.items():
        sheet = book.create_sheet(title)
        for coordinate, value in cells.items():
            sheet[coordinate] = value
    book.save(path)
    return path


def zip_with_raw_names(path: Path, entries: list[tuple[bytes, bytes, bytes]]) -> Path:
    """A zip whose entry names are the given bytes with the UTF-8 flag unset.

    zipfile always flags non-ASCII names as UTF-8, so each entry is written under an
    ASCII placeholder of the same length and the name bytes are patched in afterwards,
    in the local and the central header alike.
    """
    placeholders = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (raw_name, data, extra) in enumerate(entries):
            placeholder = (b"Q%03d" % number).ljust(len(raw_name), b"Q")
            placeholders.append(placeholder)
            info = zipfile.ZipInfo(placeholder.decode("ascii"))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.extra = extra
            archive.writestr(info, data)
    content = path.read_bytes()
    for placeholder, (raw_name, _, _) in zip(placeholders, entries, strict=True):
        assert content.count(placeholder) == 2
        content = content.replace(placeholder, raw_name)
    path.write_bytes(content)
    return path


# --- the samples and other programs' files -------------------------------------------


def test_sample_workbook_and_sample_zip_read_alike():
    workbook = read_package_in_process(SAMPLE_XLSX)
    archive = read_package_in_process(SAMPLE_ZIP)
    assert list(workbook) == SHEETS
    assert list(archive) == SHEETS
    assert shape(workbook) == shape(archive)
    assert len(workbook["Педагоги"].rows) == 80
    assert all(sheet.header_row == 1 for sheet in workbook.values())
    assert all(sheet.name == name for name, sheet in archive.items())


def test_sample_cells_keep_their_types():
    workbook = read_package_in_process(SAMPLE_XLSX)["Педагоги"]
    archive = read_package_in_process(SAMPLE_ZIP)["Педагоги"]
    assert workbook.headers[:4] == ["Код педагога", "ФИО", "Пол", "Дата рождения"]
    number, cells = workbook.rows[0]
    assert number == 2
    assert cells[:5] == ["T000001", "Кузнецов Заур", "М", datetime.date(1969, 4, 28), "000001"]
    assert cells[12] == 22  # a number cell, as calamine gives it (a float)
    number, cells = archive.rows[0]
    assert number == 2
    assert cells[:5] == ["T000001", "Кузнецов Заур", "М", "28.04.1969", "000001"]
    assert cells[12] == "22"
    # An empty cell is None in both.
    assert read_package_in_process(SAMPLE_XLSX)["Организации"].rows[0][1][4] is None
    assert read_package_in_process(SAMPLE_ZIP)["Организации"].rows[0][1][4] is None


@pytest.mark.parametrize("name", ["libreoffice-sample.xlsx", "libreoffice-sample.ods", "libreoffice-sample.xls"])
def test_libreoffice_files_read_like_the_sample(name):
    sheets = read_package_in_process(CORPUS / name)
    assert list(sheets) == SHEETS
    assert shape(sheets) == shape(read_package_in_process(SAMPLE_XLSX))
    assert sheets["Педагоги"].rows[0][1][3] == datetime.date(1969, 4, 28)


def test_uploaded_files_read_like_paths(tmp_path):
    expected = shape(read_package_in_process(SAMPLE_XLSX))
    upload = SimpleUploadedFile("пакет.xlsx", SAMPLE_XLSX.read_bytes())
    assert shape(read_package_in_process(upload)) == expected
    upload = SimpleUploadedFile("пакет.zip", SAMPLE_ZIP.read_bytes())
    assert shape(read_package_in_process(upload)) == expected
    temporary = TemporaryUploadedFile("пакет.xls", "application/vnd.ms-excel", 0, None)
    temporary.write((CORPUS / "libreoffice-sample.xls").read_bytes())
    temporary.seek(0)
    try:
        assert shape(read_package_in_process(temporary)) == expected
    finally:
        temporary.close()


def test_filename_decides_the_format_of_a_nameless_stream():
    sheets = read_package_in_process(io.BytesIO(SAMPLE_ZIP.read_bytes()), filename="пакет.zip")
    assert list(sheets) == SHEETS


# --- row numbers and headers ---------------------------------------------------------


def test_row_numbers_count_empty_rows(tmp_path):
    path = save_workbook(
        tmp_path / "книга.xlsx",
        {"Курсы": {"A1": "Код курса", "B1": "Начало", "A2": "K1", "A4": "K2", "B4": datetime.date(2025, 3, 1)}},
    )
    sheet = read_package_in_process(path)["Курсы"]
    assert sheet.header_row == 1
    assert sheet.rows == [(2, ["K1", None]), (4, ["K2", datetime.date(2025, 3, 1)])]


def test_sheet_starting_below_and_right_keeps_excel_positions(tmp_path):
    path = save_workbook(
        tmp_path / "книга.xlsx",
        {"Лист": {"B3": "Код", "C3": "Имя", "B4": "01", "C4": "a", "B6": "02", "C6": "b"}},
    )
    sheet = read_package_in_process(path)["Лист"]
    assert sheet.header_row == 3
    assert sheet.headers == ["", "Код", "Имя"]  # index 0 is column A, empty
    assert sheet.rows == [(4, [None, "01", "a"]), (6, [None, "02", "b"])]


@pytest.mark.parametrize("name", ["libreoffice-offset.ods", "libreoffice-offset.xls"])
def test_libreoffice_sheet_starting_below_and_right(name):
    sheet = read_package_in_process(CORPUS / name)["Лист"]
    assert sheet.header_row == 3
    assert sheet.headers == ["", "Код", "Имя"]
    assert sheet.rows == [(4, [None, "01", "a"]), (6, [None, "02", "b"])]


def test_workbook_cell_types(tmp_path):
    path = save_workbook(
        tmp_path / "книга.xlsx",
        {
            "Типы": {
                "A1": "Текст",
                "B1": "Число",
                "C1": "Дробь",
                "D1": "Логическое",
                "E1": "Дата",
                "F1": "Дата и время",
                "G1": "Время",
                "H1": "Пусто",
                "A2": "007",
                "B2": 7,
                "C2": 0.5,
                "D2": True,
                "E2": datetime.date(2025, 9, 1),
                "F2": datetime.datetime(2025, 9, 1, 8, 30),
                "G2": datetime.time(8, 30),
            }
        },
    )
    [(number, cells)] = read_package_in_process(path)["Типы"].rows
    assert number == 2
    assert cells == ["007", 7, 0.5, True, datetime.date(2025, 9, 1), datetime.datetime(2025, 9, 1, 8, 30),
                     datetime.time(8, 30), None]  # fmt: skip
    assert [type(cell) for cell in cells[3:5]] == [bool, datetime.date]


def test_whitespace_only_rows_are_empty_rows(tmp_path):
    path = save_workbook(tmp_path / "книга.xlsx", {"Лист": {"A1": "Код", "A2": "  ", "A3": "\u00a0", "A4": "K"}})
    assert read_package_in_process(path)["Лист"].rows == [(4, ["K"])]


def test_zero_and_false_are_values_not_empty(tmp_path):
    path = save_workbook(tmp_path / "книга.xlsx", {"Лист": {"A1": "Код", "B1": "Флаг", "A2": 0, "B3": False}})
    assert read_package_in_process(path)["Лист"].rows == [(2, [0, None]), (3, [None, False])]


def test_headers_are_trimmed_collapsed_and_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Дата присвоения категорий")
    path = save_workbook(
        tmp_path / "книга.xlsx",
        {"Лист": {"A1": "  Код\u00a0ОО ", "B1": "Дата\nрождения", "C1": nfd, "D1": 2025, "F1": "ФИО"}},
    )
    sheet = read_package_in_process(path)["Лист"]
    assert sheet.headers == ["Код ОО", "Дата рождения", "Дата присвоения категорий", "2025", "", "ФИО"]
    assert unicodedata.is_normalized("NFC", sheet.headers[2])


def test_header_text():
    assert header_text(None) == ""
    assert header_text(7.0) == "7"
    assert header_text(7.5) == "7.5"
    assert header_text(datetime.date(2025, 1, 2)) == "2025-01-02"
    assert header_text(" a \t b ") == "a b"


def test_sheet_names_are_trimmed_and_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Мероприятия ИОМ й")
    path = save_workbook(tmp_path / "книга.xlsx", {" Педагоги ": {"A1": "Код"}, nfd: {"A1": "Код"}})
    assert list(read_package_in_process(path)) == ["Педагоги", "Мероприятия ИОМ й"]


def test_empty_sheet(tmp_path):
    path = save_workbook(tmp_path / "книга.xlsx", {"Пусто": {}, "Лист": {"A1": "Код"}})
    sheets = read_package_in_process(path)
    assert sheets["Пусто"] == RawSheet(name="Пусто", headers=[], rows=[], header_row=0)
    assert sheets["Лист"] == RawSheet(name="Лист", headers=["Код"], rows=[], header_row=1)


def test_chart_sheets_are_skipped(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Лист"
    book.active["A1"] = "Код"
    book.create_chartsheet("Диаграмма")
    book.save(tmp_path / "книга.xlsx")
    assert list(read_package_in_process(tmp_path / "книга.xlsx")) == ["Лист"]


def test_two_sheets_differing_only_by_spaces(tmp_path):
    path = save_workbook(tmp_path / "книга.xlsx", {"Педагоги": {"A1": "Код"}, "Педагоги ": {"A1": "Код"}})
    assert failure(path) == (
        "В книге «книга.xlsx» два листа с названием «Педагоги» (названия различаются только пробелами). "
        "Удалите или переименуйте лишний лист."
    )


# --- CSV -----------------------------------------------------------------------------


def test_windows_1251_csv_with_semicolons(tmp_path):
    text = "Код ОО;Наименование;ШНОР\r\n000001;МБОУ «СОШ № 1»;да\r\n000002;Гимназия, корпус 2;\r\n"
    path = tmp_path / "Организации.csv"
    path.write_bytes(text.encode("cp1251"))
    sheet = read_package_in_process(path)["Организации"]
    assert sheet.name == "Организации"
    assert sheet.headers == ["Код ОО", "Наименование", "ШНОР"]
    assert sheet.rows == [(2, ["000001", "МБОУ «СОШ № 1»", "да"]), (3, ["000002", "Гимназия, корпус 2", None])]


def test_utf8_bom_csv_with_commas_and_a_quoted_field(tmp_path):
    text = (
        "Код программы,Наименование,Целевые должности\n"
        'P1,"Школа; современный урок\nвторая строка",учитель\n'
        'P2,"Он сказал ""да""",\n'
    )
    path = tmp_path / "Программы ДПП.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    sheet = read_package_in_process(path)["Программы ДПП"]
    assert sheet.headers == ["Код программы", "Наименование", "Целевые должности"]
    assert sheet.headers[0] == "Код программы"  # no BOM glued to the first header
    # Rows are records, as Excel shows them: the line break inside P1 is one cell.
    assert sheet.rows == [
        (2, ["P1", "Школа; современный урок\nвторая строка", "учитель"]),
        (3, ["P2", 'Он сказал "да"', None]),
    ]


def test_csv_row_numbers_count_empty_lines(tmp_path):
    path = tmp_path / "Курсы.csv"
    path.write_text("Код курса;Код программы\n\nK1;P1\n;\n  ;\nK2;P2\n", encoding="utf-8")
    sheet = read_package_in_process(path)["Курсы"]
    assert sheet.header_row == 1
    assert sheet.rows == [(3, ["K1", "P1"]), (6, ["K2", "P2"])]


def test_csv_header_after_empty_lines(tmp_path):
    path = tmp_path / "Курсы.csv"
    path.write_text("\n;;\nКод курса;Код программы\nK1;P1\n", encoding="utf-8")
    sheet = read_package_in_process(path)["Курсы"]
    assert sheet.header_row == 3
    assert sheet.rows == [(4, ["K1", "P1"])]


def test_csv_short_rows_are_padded_and_long_rows_kept(tmp_path):
    path = tmp_path / "Лист.csv"
    path.write_text("a,b,c\n1\n1,2,3,4\n", encoding="utf-8")
    assert read_package_in_process(path)["Лист"].rows == [(2, ["1", None, None]), (3, ["1", "2", "3", "4"])]


def test_csv_cells_are_strings_as_written(tmp_path):
    path = tmp_path / "Лист.csv"
    path.write_text("Код,Ставка,Дата\n007, 0,5 ,01.09.2025\n", encoding="utf-8")
    assert read_package_in_process(path)["Лист"].rows == [(2, ["007", " 0", "5 ", "01.09.2025"])]


def test_utf16_csv_with_tabs(tmp_path):
    path = tmp_path / "Лист.csv"
    path.write_bytes("Код\tФИО\nT1\tИванов\n".encode("utf-16"))
    assert read_package_in_process(path)["Лист"].rows == [(2, ["T1", "Иванов"])]


def test_nfd_csv_is_normalized(tmp_path):
    path = tmp_path / unicodedata.normalize("NFD", "Лист й.csv")
    path.write_text(unicodedata.normalize("NFD", "Код,Имя\nT1,Йозеф\n"), encoding="utf-8")
    sheets = read_package_in_process(path)
    assert list(sheets) == ["Лист й"]
    assert sheets["Лист й"].headers == ["Код", "Имя"]
    assert sheets["Лист й"].rows == [(2, ["T1", "Йозеф"])]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1,5;2;3", ";"),
        ("a,b,c\n1;2;3;4;5", ","),
        ("a\tb\tc", "\t"),
        ('"a;b",c,d', ","),
        ('"a,b";c', ";"),
        ("\n\n  \na;b", ";"),
        ("Код", ","),
        ("", ","),
        ('"unclosed,a,b\nc;d', ","),
    ],
)
def test_detect_delimiter(text, delimiter):
    assert detect_delimiter(text) == delimiter


def test_csv_with_broken_quotes(tmp_path):
    path = tmp_path / "Лист.csv"
    path.write_text('Код,Имя\nT1,"Иванов\nT2,Петров\n', encoding="utf-8")
    assert failure(path) == (
        "Не удалось разобрать файл «Лист.csv»: в строке 2 нарушены кавычки или разделители. "
        "Проверьте ячейки с кавычками или сохраните файл из Excel заново."
    )


def test_csv_in_no_known_encoding(tmp_path):
    path = tmp_path / "Лист.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 2000 + b"\x98\n")  # 0x98 is unassigned in Windows-1251
    assert failure(path) == (
        "Не удалось прочитать файл «Лист.csv»: текст не в кодировке UTF-8 и не в Windows-1251. "
        "Откройте его в Excel и сохраните как «CSV UTF-8 (разделитель — запятая)»."
    )


# --- zips of CSV ---------------------------------------------------------------------


def test_zip_names_in_cp866_without_the_utf8_flag(tmp_path):
    entries = [
        ("Педагоги.csv".encode("cp866"), "Код педагога;ФИО\nT1;Иванов\n".encode("cp1251"), b""),
        ("Штатное расписание.csv".encode("cp866"), b"\xef\xbb\xbf\xd0\x9a\xd0\xbe\xd0\xb4 \xd0\x9e\xd0\x9e\n1\n", b""),
    ]
    path = zip_with_raw_names(tmp_path / "пакет.zip", entries)
    infos = zipfile.ZipFile(path).infolist()
    assert not infos[0].flag_bits & 0x800
    assert infos[0].filename != "Педагоги.csv"  # zipfile alone gets it wrong (cp437)
    sheets = read_package_in_process(path)
    assert list(sheets) == ["Педагоги", "Штатное расписание"]
    assert sheets["Педагоги"].rows == [(2, ["T1", "Иванов"])]
    assert sheets["Штатное расписание"].headers == ["Код ОО"]


def test_zip_names_in_utf8_without_the_flag(tmp_path):
    path = zip_with_raw_names(tmp_path / "пакет.zip", [("Курсы.csv".encode(), b"a\n1\n", b"")])
    assert list(read_package_in_process(path)) == ["Курсы"]


def test_zip_names_from_the_info_zip_unicode_path_field(tmp_path):
    raw = "Курсы.csv".encode("cp866")
    wrong = "Ошибка.csv".encode("cp866")
    unicode_path = "Курсы.csv".encode()
    field = struct.pack("<HHBL", 0x7075, 5 + len(unicode_path), 1, zlib.crc32(raw)) + unicode_path
    stale = struct.pack("<HHBL", 0x7075, 5 + len(unicode_path), 1, zlib.crc32(b"other")) + unicode_path
    path = zip_with_raw_names(tmp_path / "пакет.zip", [(raw, b"a\n1\n", field), (wrong, b"a\n1\n", stale)])
    infos = zipfile.ZipFile(path).infolist()
    assert entry_name(infos[0]) == "Курсы.csv"
    assert entry_name(infos[1]) == "Ошибка.csv"  # a stale field is ignored


def test_zip_with_one_folder(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Пакет 2025/", b"")
        archive.writestr("Пакет 2025/Курсы.csv", "Код курса\nK1\n")
        archive.writestr("Пакет 2025/Обучение.csv", "Код педагога\nT1\n")
        archive.writestr("Пакет 2025/readme.txt", "не лист")
        archive.writestr("__MACOSX/Пакет 2025/._Курсы.csv", b"\x00\x05\x16\x07")
        archive.writestr("Пакет 2025/.~lock.Курсы.csv#", "lock")
    sheets = read_package_in_process(path)
    assert list(sheets) == ["Курсы", "Обучение"]
    assert sheets["Курсы"].rows == [(2, ["K1"])]


def test_zip_with_csv_in_several_folders(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Курсы.csv", "a\n")
        archive.writestr("2025/Обучение.csv", "a\n")
    assert failure(path) == (
        "В архиве «пакет.zip» CSV-файлы лежат в разных папках («корень архива», «2025»). "
        "Положите все CSV-файлы пакета в корень архива или в одну папку."
    )


def test_zip_with_nested_folders(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a/b/Курсы.csv", "a\n")
    assert "лежат в разных папках («a/b»)" in failure(path)


def test_zip_without_csv(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("пакет.txt", "a\n")
    assert failure(path) == (
        "В архиве «пакет.zip» нет CSV-файлов. Положите в архив CSV-файлы, названные по листам пакета "
        "(например, «Педагоги.csv»)."
    )


def test_zip_with_two_files_for_one_sheet(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Курсы.csv", "a\n")
        archive.writestr("Курсы .csv", "a\n")
    assert failure(path) == (
        "В архиве «пакет.zip» два CSV-файла для листа «Курсы»: «Курсы.csv» и «Курсы .csv». Оставьте один."
    )


def test_zip_entry_that_is_not_csv(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Курсы.csv", SAMPLE_XLSX.read_bytes())
    assert failure(path) == (
        "Файл «Курсы.csv» в архиве «пакет.zip» — не CSV (книга Excel или архив). Сохраните лист из Excel как "
        "«CSV UTF-8 (разделитель — запятая)» и положите в архив этот файл."
    )


def test_zip_entry_with_broken_quotes_is_named_with_its_archive(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Курсы.csv", 'a\n"b\n')
    assert failure(path).startswith("Не удалось разобрать файл «Курсы.csv» в архиве «пакет.zip»: в строке 2")


def test_zip_entry_with_a_bad_crc(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("Курсы.csv", "Код курса\nK1\n")
    path.write_bytes(path.read_bytes().replace(b"K1", b"K2"))
    assert failure(path) == (
        "Файл «Курсы.csv» в архиве «пакет.zip» повреждён: его не удаётся распаковать. Создайте архив заново "
        "и повторите загрузку."
    )


def test_empty_csv_in_a_zip_is_an_empty_sheet(tmp_path):
    path = tmp_path / "пакет.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Курсы.csv", b"")
    assert read_package_in_process(path) == {"Курсы": RawSheet(name="Курсы", headers=[], rows=[], header_row=0)}


# --- folders and single CSV files ----------------------------------------------------


def test_folder_of_csv(tmp_path):
    folder = tmp_path / "пакет"
    folder.mkdir()
    (folder / "Курсы.csv").write_text("Код курса,Код программы\nK1,P1\n", encoding="utf-8-sig")
    (folder / "Обучение.CSV").write_bytes("Код педагога;Код курса\nT1;K1\n".encode("cp1251"))
    (folder / "заметки.txt").write_text("не лист", encoding="utf-8")
    (folder / "~$Курсы.csv").write_bytes(b"\x00lock")
    sheets = read_package_in_process(folder)
    assert list(sheets) == ["Курсы", "Обучение"]
    assert sheets["Обучение"].rows == [(2, ["T1", "K1"])]


def test_folder_round_trip_of_the_sample(tmp_path):
    with zipfile.ZipFile(SAMPLE_ZIP) as archive:
        archive.extractall(tmp_path)
    assert shape(read_package_in_process(tmp_path)) == shape(read_package_in_process(SAMPLE_ZIP))


def test_folder_without_csv(tmp_path):
    assert failure(tmp_path, filename="пакет") == (
        "В папке «пакет» нет CSV-файлов. Положите в неё CSV-файлы, названные по листам пакета "
        "(например, «Педагоги.csv»)."
    )


def test_folder_with_a_file_that_is_not_csv(tmp_path):
    (tmp_path / "Курсы.csv").write_bytes(b"<html><body>")
    assert failure(tmp_path).startswith("Файл «Курсы.csv» — это веб-страница (HTML), а не файл CSV.")


def test_single_csv_sheet_is_named_after_the_file(tmp_path):
    path = tmp_path / "upload_5f2a.csv"
    path.write_text("Код\n1\n", encoding="utf-8")
    assert list(read_package_in_process(path, filename=" Педагоги .csv")) == ["Педагоги"]


# --- failures of the workbook reader -------------------------------------------------


def test_safety_checks_come_first(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"<!doctype html><html>")
    assert failure(path).startswith("Файл «x.xlsx» — это веб-страница (HTML), а не книга Excel.")


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "пакет.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "garbage")
        archive.writestr("xl/workbook.xml", "garbage")
    assert failure(path) == (
        "Не удалось прочитать книгу «пакет.xlsx»: файл повреждён или сохранён в неподдерживаемом виде. "
        "Откройте его в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
    )


def test_corrupt_sheet_is_named(tmp_path):
    source = save_workbook(tmp_path / "source.xlsx", {"Педагоги": {"A1": "Код", "A2": "T1"}})
    path = tmp_path / "пакет.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as broken:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            broken.writestr(info, data)
    assert failure(path) == (
        "Не удалось прочитать лист «Педагоги» книги «пакет.xlsx»: файл повреждён или сохранён в неподдерживаемом "
        "виде. Откройте его в Excel и сохраните заново как «Книга Excel (*.xlsx)»."
    )


def test_corrupt_xls(tmp_path):
    path = tmp_path / "пакет.xls"
    data = (CORPUS / "libreoffice-sample.xls").read_bytes()
    path.write_bytes(data[:4096])
    assert failure(path).startswith("Не удалось прочитать книгу «пакет.xls»: файл повреждён")


def test_password_protected_workbook_seen_by_calamine(tmp_path, monkeypatch):
    # Safety normally refuses these first; calamine's own PasswordError is the backstop.
    from monitoring.intake.package import reader

    monkeypatch.setattr(reader, "check_upload", lambda source, name: reader.PackageFormat.XLSX)
    monkeypatch.setattr(reader, "iter_extents", lambda source, name, package_format: iter(()))
    assert failure(CORPUS / "encrypted.xlsx", filename="пакет.xlsx") == (
        "Файл «пакет.xlsx» защищён паролем, поэтому прочитать его нельзя. Откройте его в Excel, снимите пароль "
        "и сохраните заново."
    )


def test_workbook_saved_under_another_extension_is_read_by_content(tmp_path):
    # A temporary upload path whose extension differs from the user's file name.
    path = tmp_path / "upload_5f2a.xls"
    path.write_bytes(SAMPLE_XLSX.read_bytes())
    assert list(read_package_in_process(path, filename="пакет.xlsx")) == SHEETS


def test_interrupts_are_not_turned_into_messages():
    from monitoring.intake.package import reader

    assert reader._calamine_error(KeyboardInterrupt(), "пакет.xlsx") is None
    assert isinstance(reader._calamine_error(ValueError("x"), "пакет.xlsx"), PackageFileError)


# --- read_package: the same reading in a child process -------------------------------------


@pytest.mark.parametrize(
    "path", [SAMPLE_XLSX, SAMPLE_ZIP, CORPUS / "libreoffice-sample.ods", CORPUS / "libreoffice-sample.xls"]
)
def test_read_package_reads_in_a_child_what_the_process_reads(path):
    assert read_package(path) == read_package_in_process(path)


def test_read_package_reads_an_uploaded_file_and_a_folder_in_a_child(tmp_path):
    upload = SimpleUploadedFile("пакет.xlsx", SAMPLE_XLSX.read_bytes())
    assert read_package(upload) == read_package_in_process(SAMPLE_XLSX)
    with zipfile.ZipFile(SAMPLE_ZIP) as archive:
        archive.extractall(tmp_path)
    assert shape(read_package(tmp_path)) == shape(read_package_in_process(SAMPLE_ZIP))


@pytest.mark.parametrize("case", hostile.HOSTILE, ids=[case.label for case in hostile.HOSTILE])
def test_hostile_workbooks_are_refused_through_the_child(case, tmp_path):
    # Each of these aborted the reading process or took gigabytes before.
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    with pytest.raises(PackageFileError) as caught:
        read_package(path)
    assert case.words in caught.value.message and f"«{case.filename}»" in caught.value.message
    if case.sheet is not None:
        assert f"«{case.sheet}»" in caught.value.message


# --- two parsing threads ---------------------------------------------------------------


def _opened(monkeypatch) -> list[str]:
    """Every workbook handle the reader opens, by how it was opened."""
    from monitoring.intake.package import reader

    opened: list[str] = []
    original = reader._open_workbook

    def counting(source, name):
        opened.append("path" if isinstance(source, (str, Path)) else "stream")
        return original(source, name)

    monkeypatch.setattr(reader, "_open_workbook", counting)
    return opened


def test_an_xlsx_on_disk_is_parsed_by_two_handles_and_reads_as_with_one(monkeypatch, tmp_path):
    opened = _opened(monkeypatch)
    sheets = read_package_in_process(SAMPLE_XLSX)
    # The second thread opened its own handle on the file: one handle serves one parse at a time.
    assert opened == ["path", "path"]
    # The same sheets, cells and row numbers as the stream, which one thread reads.
    opened.clear()
    with open(SAMPLE_XLSX, "rb") as stream:
        alone = read_package_in_process(stream, filename="package.xlsx")
    assert opened == ["stream"]
    assert list(sheets) == list(alone) == SHEETS
    assert {n: (s.headers, s.rows) for n, s in sheets.items()} == {n: (s.headers, s.rows) for n, s in alone.items()}


@pytest.mark.parametrize(("fits", "at_once"), [(False, 1), (True, 2)], ids=["too-large", "room-for-two"])
def test_sheets_too_large_to_parse_together_wait_their_turn(monkeypatch, fits, at_once):
    import threading
    import time

    from monitoring.intake.package import reader

    # A memory limit that holds one sheet at a time (or any two): does a sheet join another's parse?
    monkeypatch.setattr(reader, "_fits", lambda cells: fits)
    lock = threading.Lock()
    active, most = 0, 0
    original = reader._Handles.sheet

    def counted(self, sheet_name):
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        try:
            time.sleep(0.02)  # a parse that takes long enough for another to start beside it
            return original(self, sheet_name)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(reader._Handles, "sheet", counted)
    sheets = read_package_in_process(SAMPLE_XLSX)
    assert list(sheets) == SHEETS
    assert most == at_once


def test_the_memory_gate_follows_the_address_space_limit(monkeypatch):
    import resource

    from monitoring.intake.package import reader

    limit = 512 * 2**20
    monkeypatch.setattr(resource, "getrlimit", lambda what: (limit, limit))
    room = (limit - reader.MEMORY_RESERVE) // reader.BYTES_PER_CELL
    assert reader._fits(room)
    assert not reader._fits(room + 1)
    monkeypatch.setattr(resource, "getrlimit", lambda what: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert reader._fits(2**40)


def test_a_broken_sheet_among_two_is_refused_with_its_name(tmp_path):
    path = save_workbook(tmp_path / "two.xlsx", {"Педагоги": {"A1": "Код", "A2": "T1"}, "Курсы": {"A1": "Код"}})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<sheetData>", b"<sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row>")
            target.writestr(info, data)
    message = failure(broken)
    assert "Курсы" in message and "broken.xlsx" in message
