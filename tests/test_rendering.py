"""The redacted rendering stored for evidence: nothing of a matched line survives."""

from dumpwatch.rendering import render_redacted


def test_a_name_the_extractor_does_not_know_is_masked_on_its_record_line() -> None:
    # 캐 is no Korean surname, so the extractor does not take 캐나리 for a name; the
    # line still matched on its phone and e-mail, and the name must not be stored.
    page = "판매합니다 샘플\n캐나리 010-9876-0123 zqxw@naver.com\n문의 텔레그램 @seller"
    shown = render_redacted(page).text
    assert "캐나리" not in shown and "9876" not in shown and "zqxw" not in shown
    assert "캐** 010-****-0123 zq***@naver.com" in shown
    assert "판매합니다 샘플" in shown and "문의 텔레그램 @seller" in shown  # prose kept
