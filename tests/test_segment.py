"""Segmentation: sections, headings, sentences, metadata, offsets."""

from __future__ import annotations

import pytest

from analysis.errors import AnalysisError
from analysis.text.decode import decode_bytes
from analysis.text.segment import segment

# The title and headings as they stand in the article (read by eye, not produced by the code).
HEADINGS = [
    "2026春節:中國AI的“兩彈一星”時刻",
    "接管最高航道:中國AI同時定義“感官”與“生產力”",
    "打通全鏈路底座:中國AI重奪“定價權”與“算力主權”",
    "中國AI正在重寫全球規則",
]


def test_article_has_four_sections_with_the_four_headings(article_text):
    seg = segment(article_text)
    assert [s.heading for s in seg.sections] == HEADINGS
    assert seg.title == HEADINGS[0]
    # Paragraph counts per section read off the article (lead 12, then 24, 21, 6).
    assert [len(s.paragraphs) for s in seg.sections] == [12, 24, 21, 6]


def test_article_has_104_body_sentences_and_the_credit_is_metadata(article_text):
    seg = segment(article_text)
    assert len(seg.sentences) == 104
    assert [m.text for m in seg.metadata] == ["(觀察者網)"]
    assert all("觀察者網" not in s.text for s in seg.sentences)
    assert not any(s.text in HEADINGS for s in seg.sentences)


def test_offsets_point_into_the_normalised_text(article_text):
    seg = segment(article_text)
    for s in seg.sentences:
        assert article_text[s.start:s.end] == s.text
    for sec in seg.sections:
        for p in sec.lines:
            assert article_text[p.start:p.end] == p.text
    # Sentences cover every body character except white space.
    covered = set()
    for s in seg.sentences:
        covered.update(range(s.start, s.end))
    body = {i for sec in seg.sections for p in sec.paragraphs for i in range(p.start, p.end)}
    assert {i for i in body - covered if not article_text[i].isspace()} == set()


def test_closing_quotes_stay_with_their_sentence():
    seg = segment("標題\n\n他說:“我們贏了。”然後離開了。「好!」她回答?(是的)對。")
    assert [s.text for s in seg.sentences] == ["他說:“我們贏了。”", "然後離開了。", "「好!」", "她回答?", "(是的)對。"]


def test_crlf_bom_and_cr_give_the_same_segmentation(article_text):
    lf = segment(article_text)
    for raw in (article_text.replace("\n", "\r\n"), article_text.replace("\n", "\r")):
        text = decode_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"), "x")
        assert text == article_text
        assert [s.text for s in segment(text).sentences] == [s.text for s in lf.sentences]


def test_markdown_headings_split_sections():
    text = "# 標題\n\n導語一句。\n\n## 第一節\n\n內容一。內容二。\n\n## 第二節 國產晶片\n\n內容三。\n"
    seg = segment(text)
    assert [s.heading for s in seg.sections] == ["標題", "第一節", "第二節 國產晶片"]
    assert [s.section for s in seg.sentences] == [0, 1, 1, 2]


def test_numbered_headings_split_sections_in_numbered_mode():
    text = "标题\n\n导语。\n\n一、总体要求\n\n要坚持自主可控。\n\n（二）重点任务\n\n推进国产化。\n\n三、保障措施\n\n加强领导。"
    seg = segment(text, "numbered")
    assert [s.heading for s in seg.sections] == ["标题", "一、总体要求", "（二）重点任务", "三、保障措施"]
    assert [s.section for s in seg.sentences] == [0, 1, 2, 3]


def test_long_numbered_paragraph_is_body_not_heading():
    para = "一、" + "坚持党的领导，" * 10 + "这是根本。"
    seg = segment("标题\n\n" + para, "numbered")
    assert len(seg.sections) == 1 and seg.sentences[0].text == para


def test_bylines_datelines_and_credits_are_metadata_not_headings():
    text = (
        "新聞標題\n\n【撰文：張三】\n\n央视网消息（新闻联播）：今天北京召开会议。\n\n作者：李四\n\n"
        "第一節\n\n新华社北京2月8日电（记者 王五）会议召开。\n\n文章最後一句。（觀察者網）"
    )
    seg = segment(text)
    assert [s.heading for s in seg.sections] == ["新聞標題", "第一節"]
    assert [m.text for m in seg.metadata] == [
        "【撰文：張三】", "央视网消息（新闻联播）：", "作者：李四", "新华社北京2月8日电（记者 王五）", "（觀察者網）"]
    assert [s.text for s in seg.sentences] == ["今天北京召开会议。", "会议召开。", "文章最後一句。"]


def test_lines_rule_does_not_need_a_colon_and_skips_punctuated_lines():
    text = "標題\n\n一段話。\n\n中國AI正在重寫全球規則\n\n短句結束。\n\n還沒說完,\n\n正文。"
    seg = segment(text, "lines")
    assert [s.heading for s in seg.sections] == ["標題", "中國AI正在重寫全球規則"]


def test_no_headings_is_one_section():
    seg = segment("第一段很長很長的正文內容。第二句。\n第二段,也是正文。")
    assert len(seg.sections) == 1
    assert seg.title == "" and len(seg.sentences) == 3
    assert len(segment("標題\n\n正文一。\n\n小標題\n\n正文二。", "none").sections) == 1


def test_long_run_is_cut_at_a_comma_within_the_limit():
    clause = "這是一個沒有句號的很長的分句"  # 14 characters
    para = ",".join([clause] * 40) + "。"
    seg = segment("標題\n\n" + para)
    assert all(len(s.text) <= 300 for s in seg.sentences)
    assert all(s.text.endswith((",", "。")) for s in seg.sentences)
    assert "".join(s.text for s in seg.sentences) == para
    no_comma = "字" * 700
    seg = segment("標題\n\n" + no_comma)
    assert [len(s.text) for s in seg.sentences] == [300, 300, 100]


def test_unknown_heading_mode_is_an_error():
    with pytest.raises(AnalysisError, match="headings"):
        segment("x", "bogus")


# --- Titles are titles only when they read as one and something follows (issue 12, items 1 and 6). ---


@pytest.mark.parametrize("text", [
    "卷饼好吃。外卖小哥服务态度好。各种赞",  # sentence punctuation inside: three sentences, not a title
    "各种赞",  # a one-line text: nothing follows it
    "味道一般般吧",
    "人工智能会取代记者吗？",  # a question alone is a sentence
])
def test_a_short_text_is_body_text_not_a_title(text):
    seg = segment(text)
    assert seg.title == "" and seg.title_span is None
    assert "".join(s.text for s in seg.sentences) == text  # every character is in a body sentence


def test_a_line_with_sentence_punctuation_inside_is_not_a_title_even_when_text_follows():
    seg = segment("卷饼好吃。外卖小哥服务态度好。各种赞\n\n下次还来。")
    assert seg.title == ""
    assert [s.text for s in seg.sentences] == ["卷饼好吃。", "外卖小哥服务态度好。", "各种赞", "下次还来。"]


def test_a_question_headline_followed_by_the_article_is_the_title():
    text = "人工智能会取代记者吗？\n\n一场关于新闻编辑室未来的讨论近日引起关注。多位编辑表示，机器写作仍需人工把关。"
    seg = segment(text)
    assert seg.title == "人工智能会取代记者吗？" and seg.sections[0].heading == seg.title
    assert [s.text for s in seg.sentences] == [
        "一场关于新闻编辑室未来的讨论近日引起关注。", "多位编辑表示，机器写作仍需人工把关。"]


def test_a_line_ending_like_a_sentence_or_clause_is_never_a_title():
    for first in ("今天的会议开得很好。", "会议议程如下：", "他说：“我们赢了。”"):
        seg = segment(first + "\n\n正文一句。")
        assert seg.title == "", first
        assert seg.sentences[0].text.startswith(first[:3])


def test_a_dateline_alone_on_its_line_is_metadata():
    text = "会议闭幕\n\n央视网消息（新闻联播）：\n\n今天上午，一场研讨会在北京召开。与会者讨论了数字经济。"
    seg = segment(text)
    assert seg.title == "会议闭幕"
    assert [m.text for m in seg.metadata] == ["央视网消息（新闻联播）："]
    assert [sec.index for sec in seg.sections] == [0]
    assert [s.text for s in seg.sentences] == ["今天上午，一场研讨会在北京召开。", "与会者讨论了数字经济。"]
    # the same with the dateline as the very first line and a second dateline form
    seg = segment("新华社北京3月2日电（记者 某某）\n今天天气很好。")
    assert [m.text for m in seg.metadata] == ["新华社北京3月2日电（记者 某某）"]
    assert [s.text for s in seg.sentences] == ["今天天气很好。"] and seg.title == ""


def test_title_none_reads_the_first_line_as_body_text():
    text = "国产芯片的突围\n\n今天很好。"
    assert segment(text).title == "国产芯片的突围"
    seg = segment(text, "none", title="none")
    assert seg.title == "" and [s.text for s in seg.sentences] == ["国产芯片的突围", "今天很好。"]
    # --title none alone: the first line is a line like any other, here a heading under the lines rule
    seg = segment(text, "auto", title="none")
    assert seg.title == "" and [s.heading for s in seg.sections] == ["", "国产芯片的突围"]
    # --headings none alone keeps the title rule
    assert segment(text, "none").title == "国产芯片的突围"
    with pytest.raises(AnalysisError, match="--title"):
        segment(text, title="bogus")


def test_a_short_last_line_or_one_with_inner_punctuation_is_not_a_lines_heading():
    seg = segment("标题\n\n正文一句。\n\n各种赞", "lines")
    assert [s.heading for s in seg.sections] == ["标题"]
    assert [s.text for s in seg.sentences] == ["正文一句。", "各种赞"]
    seg = segment("标题\n\n正文一句。\n\n好吃。便宜\n\n正文二句。", "lines")
    assert [s.heading for s in seg.sections] == ["标题"]
    # markdown headings stay headings wherever they stand (the author marked them)
    assert [s.heading for s in segment("# 标题\n\n正文。\n\n## 结语").sections] == ["标题", "结语"]


def test_the_demo_article_keeps_its_title_three_headings_and_104_sentences(article_text):
    seg = segment(article_text)
    assert seg.title == HEADINGS[0] and [s.heading for s in seg.sections[1:]] == HEADINGS[1:]
    assert len(seg.sentences) == 104
