"""Loading: UTF-8 vs GBK detection, binary rejection, city/year detection."""

from __future__ import annotations

import pytest

from index.load import ReportError, read_report, read_report_bytes
from index.meta import detect_city, detect_year
from tests.conftest import SEEDS

TEXT = "2021年,青山市妇联培训家政服务员888人。\n青山市妇联开展“巾帼建功”活动12场。\n"


def test_gbk_file_is_decoded(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(TEXT.encode("gbk"))
    report = read_report(path)
    assert report.text == TEXT
    assert report.encoding == "gb18030"


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    assert read_report(path).text == TEXT


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64])
def test_binary_is_rejected_with_a_clear_error(data):
    with pytest.raises(ReportError, match="binary"):
        read_report_bytes("x.txt", data)


def test_unsupported_and_empty_files():
    with pytest.raises(ReportError, match="unsupported"):
        read_report_bytes("x.exe", b"hello")
    with pytest.raises(ReportError, match="no text"):
        read_report_bytes("x.txt", b"   \n  ")


def test_docx_is_read(tmp_path):
    import docx

    document = docx.Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "r.docx"
    document.save(path)
    assert "888人" in read_report(path).text


def test_city_and_year_detection_on_seeds():
    expected = {"000": ("东营", 2020), "001": ("昌邑", 2023), "002": ("天水", 2016), "003": ("株洲", 2020)}
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if path.name[:3] in expected:
            assert (detect_city(text), detect_year(text)) == expected[path.name[:3]]
    assert detect_city(TEXT) == "青山"
    assert detect_year("没有年份的文字") == 0


def test_a_summary_is_dated_by_its_title_or_opening_not_by_its_plans():
    plans = "2022年,我们将继续推进。" * 5  # next year's plans name that year more often
    titled = "青山市妇联2021年工作总结\n\n一、巾帼建功\n培训888人。\n" + plans
    opening = "记者 张三\n2021年是极不平凡的一年,青山市妇联培训888人。\n" + plans
    assert detect_year(titled) == detect_year(opening) == 2021
    assert detect_year("培训888人。\n" + plans) == 2022  # no title, no opening year: the most frequent
    assert detect_year("青山市妇联2019—2021年工作总结\n" + plans) == 2022  # a span is not one year


def _docx_bytes(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_docx_that_unpacks_too_far_is_refused_before_parsing():
    import io
    import zipfile

    buf = io.BytesIO(_docx_bytes("天水市妇联工作报告"))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.xml", b" " * (8 * 1024 * 1024))
    bomb = buf.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(ReportError, match=r"bomb\.docx: \.docx unpacks to more than 2 MB \(8 MB seen"):
        read_report_bytes("bomb.docx", bomb, max_unpacked=2 * 1024 * 1024)
    assert read_report_bytes("ok.docx", bomb, max_unpacked=16 * 1024 * 1024).text == "天水市妇联工作报告"


def test_pdf_whose_streams_unpack_too_far_is_refused():
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(3):
        page = writer.add_blank_page(200, 200)
        stream = DecodedStreamObject()
        stream.set_data(b"0 0 m\n" * (400 * 1024))  # 2.4 MB of drawing operators per page
        page[NameObject("/Contents")] = writer._add_object(stream)
        page.compress_content_streams()
    buf = io.BytesIO()
    writer.write(buf)
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(ReportError, match=r"\.pdf unpacks to more than 4 MB"):
        read_report_bytes("bomb.pdf", buf.getvalue(), max_unpacked=4 * 1024 * 1024)
