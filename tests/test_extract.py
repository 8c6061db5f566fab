"""Worked examples of extraction: one record in, the same roles out, whatever the layout."""

from __future__ import annotations

import pytest

from matcher.extract import extract

KIM = {"name": "김민준", "phone": "010-1234-5678"}


def _roles(text: str) -> list[dict[str, str]]:
    return [c.values for c in extract(text)]


@pytest.mark.parametrize("text", [
    "이름,연락처\n김민준,010-1234-5678\n이서연,010-2222-3333\n박지호,010-3333-4444\n",
    "김민준|010-1234-5678\n이서연|010-2222-3333\n박지호|010-3333-4444\n",
    "010-1234-5678\t김민준\n010-2222-3333\t이서연\n010-3333-4444\t박지호\n",
    "김민준  010-1234-5678\n이서연  010-2222-3333\n박지호  010-3333-4444\n",
    "김민준;010-1234-5678;x\n이서연;010-2222-3333;y\n박지호;010-3333-4444;z\n",
])
def test_delimited_layouts(text: str) -> None:
    rows = _roles(text)
    assert len(rows) == 3
    assert rows[0]["name"] == "김민준" and rows[0]["phone"] == "010-1234-5678"


def test_json_with_arbitrary_nesting_and_keys() -> None:
    text = '{"data": {"list": [{"u": {"nm": "김민준", "hp_no": "01012345678"}, "x": 1}]}}'
    assert _roles(text) == [{"name": "김민준", "phone": "01012345678"}]


def test_json_lines() -> None:
    text = ('{"성명": "김민준", "tel": "010-1234-5678"}\n'
            '{"성명": "이서연", "tel": "010-2222-3333"}\n')
    assert [r["name"] for r in _roles(text)] == ["김민준", "이서연"]


def test_sql_insert_with_create_table_columns() -> None:
    text = ("CREATE TABLE m (`id` int, `cust_nm` varchar(20), `hp` varchar(20), "
            "PRIMARY KEY (`id`));\nINSERT INTO `m` VALUES (1,'김민준','010-1234-5678'),"
            "(2,'O''Brien',NULL);\n")
    assert _roles(text)[0] == KIM


def test_html_table_and_page_text() -> None:
    text = ("<html><body><table><tr><th>성명</th><th>휴대폰</th></tr><tr><td>김민준</td>"
            "<td>010-1234-5678</td></tr></table><p>문의 010-9999-8888</p></body></html>")
    assert _roles(text) == [KIM, {"phone": "010-9999-8888"}]


def test_free_text_sale_post_with_labelled_blocks() -> None:
    text = ("쿠팡 DB 팝니다. 샘플:\n\n이름: 김민준\n연락처: 010-1234-5678\n주소: 서울 강남구 "
            "테헤란로 123\n\n이름: 이서연\n연락처: 010-2222-3333\n")
    rows = _roles(text)
    assert rows[0] == {**KIM, "address": "서울 강남구 테헤란로 123"}
    assert rows[1] == {"name": "이서연", "phone": "010-2222-3333"}


def test_several_records_on_one_line_and_masks() -> None:
    rows = _roles("샘플: 김*준 010-****-5678, 이○연 010-12**-9999 가격 문의")
    assert rows == [{"name": "김*준", "phone": "010-****-5678"},
                    {"name": "이○연", "phone": "010-12**-9999"}]


def test_chatter_and_name_lists_yield_nothing_to_look_up() -> None:
    assert _roles("오늘 강남구 날씨 좋네요. 김민준 이서연 박지호 모두 왔어요.\n연락은 나중에") == []
    assert _roles("김민준\n이서연\n박지호\n") == []


@pytest.mark.parametrize("text", [
    '[["이름","연락처"],["김민준","010-1234-5678"],["이서연","010-2222-3333"]]',
    "| 이름 | 연락처 |\n|---|---|\n| 김민준 | 010-1234-5678 |\n| 이서연 | 010-2222-3333 |\n",
    "COPY public.users (id, name, phone) FROM stdin;\n1\t김민준\t010-1234-5678\n"
    "2\t이서연\t010-2222-3333\n3\t박지호\t010-3333-4444\n\\.\n",
    "<users><user><name>김민준</name><phone>010-1234-5678</phone></user>"
    "<user><name>이서연</name><phone>010-2222-3333</phone></user></users>",
])
def test_more_tabular_layouts(text: str) -> None:
    rows = [r for r in _roles(text) if r.get("phone", "").startswith("010")]
    assert rows[0] == KIM and rows[1]["name"] == "이서연"


def test_full_width_forms_and_jamo_masks() -> None:
    assert _roles("김민준 ０１０－１２３４－５６７８ kim＠naver.com") == [
        {**KIM, "email": "kim@naver.com"}]
    rows = _roles("이ㅇㅇ 010-xxxx-2222\n김OO 010-XXXX-5678")
    assert [r["name"][0] for r in rows] == ["이", "김"] and len(rows) == 2


def test_labelled_values_and_inline_pairs() -> None:
    assert _roles("성명: 김 민준\n연락처: 010 1234 5678") == [
        {"name": "김 민준", "phone": "010 1234 5678"}]
    assert _roles("name=김민준; phone=01012345678; email=kim@naver.com") == [
        {"phone": "01012345678", "email": "kim@naver.com", "name": "김민준"}]


def test_quoted_csv_field_spanning_lines_keeps_rows_and_line_numbers() -> None:
    text = ('이름,주소,연락처\n'
            '김민준,"서울특별시 강남구 테헤란로 123\n101동 1203호",010-1234-5678\n'
            '이서연,"부산 해운대구 해운대로 45",010-2222-3333\n')
    cands = extract(text)
    assert [c.line for c in cands] == [2, 4]
    assert cands[0].values["address"] == "서울특별시 강남구 테헤란로 123 101동 1203호"


def test_landline_and_voip_numbers_in_free_text() -> None:
    rows = _roles("연락처 070-1234-5678 김민준\n회사 031-123-4567 이서연\n"
                  "문의 0505-123-4567 박지호")
    assert [r["phone"] for r in rows] == ["070-1234-5678", "031-123-4567", "0505-123-4567"]
