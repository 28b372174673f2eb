"""Segmentation: normalised text → title, sections (with headings), paragraphs, sentences and metadata.

Every piece carries `start` / `end` character offsets (end exclusive) into the normalised text, so
`text[start:end]` is the piece. Rules (see README, "Method"):

* paragraphs are non-empty lines; bylines, datelines and source credits are metadata, never headings or
  sentences;
* with `--title auto`, the first content line is the title when it is a markdown heading (`#`), or when it looks
  like one (short, no sentence punctuation inside, not ending in `。；…，：` and the like; a `？` / `！` headline is a
  title) and more content follows it; with `--title none` it is a line like any other;
* headings follow `--headings`: markdown (`#`), numbered (`一、`, `（一）`), lines (short, unpunctuated lines that
  more content follows), `auto` (all three) or `none`;
* sentences end at `。！？!?；;` (closing quotes and brackets stay with them) and at line breaks; a run of more
  than `max_chars` characters without such a break is cut after the last comma that keeps it within the limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import MAX_SENTENCE_CHARS
from ..errors import AnalysisError

HEADING_MODES = ("auto", "markdown", "numbered", "lines", "none")
TITLE_MODES = ("auto", "none")

SENTENCE_END = "。！？!?；;"
CLOSERS = "”」』）)’"
#: A line ending in one of these (before closing quotes and brackets) is a sentence or clause, not a heading (the
#: "lines" rule) nor a title (which may end in TITLE_END_ALLOWED).
HEADING_FORBIDDEN_END = SENTENCE_END + "…,，:：、."
MAX_HEADING_CHARS = 30
MAX_NUMBERED_HEADING_CHARS = 40
MAX_TITLE_CHARS = 60
#: A title may end in a question or exclamation mark (a headline such as `AI會取代記者嗎？`), unlike a heading.
TITLE_END_ALLOWED = "？！?!"

_WS = " \t\u3000\u00a0\ufeff"
_SENTENCE_RE = re.compile(rf"[^{SENTENCE_END}]*[{SENTENCE_END}]+[{CLOSERS}]*|[^{SENTENCE_END}]+")
_MARKDOWN_RE = re.compile(r"^#{1,6}(?=\s|[^#])\s*")
_NUMBERED_RE = re.compile(r"^(?:[一二三四五六七八九十百]{1,3}、|[（(][一二三四五六七八九十百]{1,3}[）)])")
_WORDY_RE = re.compile(r"[\w\u3400-\u9fff]")

# Metadata. Whole lines: bylines in 【】, short parenthesised credits such as (觀察者網) or （完）, and
# "key: value" lines such as 作者：… / 责任编辑：….
_META_LINE_RES = (
    re.compile(r"^【[^】\n]{1,40}】$"),
    re.compile(r"^[（(][^（）()\n]{1,20}[）)]$"),
    re.compile(
        r"^(?:撰文|撰稿|文|記者|记者|作者|編輯|编辑|責任編輯|责任编辑|責編|责编|來源|来源|原標題|原标题|"
        r"攝影|摄影|圖|图|校對|校对|審核|审核|監製|监制|出品|通訊員|通讯员|編譯|编译|翻譯|翻译)\s*[：:|｜].{0,60}$"
    ),
)
# Prefixes of a paragraph: datelines such as 央视网消息（新闻联播）：, 新华社北京2月8日电（记者 …）, 本报讯（…）,
# and a leading 【…】 credit. The rest of the paragraph stays body text; a dateline alone on its line is metadata.
_META_PREFIX_RES = (
    re.compile(r"^【[^】\n]{1,40}】\s*"),
    re.compile(
        r"^[^\s，,。：:（(]{0,20}(?:(?:網|网|社|台|臺|報|报|日|視|视|頻|频|端)消息|(?:報|报)(?:訊|讯))"
        r"(?:\s*[（(][^）)\n]{0,30}[）)]\s*[：:]?|\s*[：:]|\s+)\s*"
    ),
    re.compile(r"^[^\s，,。：:（(]{1,25}\d{1,2}月\d{1,2}日(?:電|电)(?:\s*[（(][^）)\n]{0,30}[）)])?\s*[：:]?\s*"),
)
# A short parenthesised credit at the very end of the last paragraph, after a sentence end: "… 。 (觀察者網)".
_META_SUFFIX_RE = re.compile(rf"(?<=[{SENTENCE_END}{CLOSERS}])\s*([（(][^（）()\n]{{1,20}}[）)])$")


@dataclass(frozen=True)
class Span:
    """A piece of the normalised text: `text == document[start:end]`."""

    start: int
    end: int
    text: str


@dataclass
class Section:
    """A section: its heading line (the title for the lead, section 0) and its body paragraphs."""

    index: int
    heading: str
    heading_span: Span | None
    paragraphs: list[Span] = field(default_factory=list)

    @property
    def lines(self) -> list[Span]:
        """The heading line (if any) followed by the paragraphs: the text framing terms are counted in."""
        return ([self.heading_span] if self.heading_span else []) + self.paragraphs

    @property
    def start(self) -> int:
        """Offset of the section's first character (heading included)."""
        lines = self.lines
        return lines[0].start if lines else 0

    @property
    def end(self) -> int:
        """Offset just past the section's last content character."""
        lines = self.lines
        return lines[-1].end if lines else 0


@dataclass(frozen=True)
class Sentence:
    """A body sentence with its section and its offsets."""

    section: int
    start: int
    end: int
    text: str


@dataclass
class Segmented:
    """The segmentation of one document."""

    text: str
    title: str
    title_span: Span | None
    sections: list[Section]
    sentences: list[Sentence]
    metadata: list[Span]


def _lines(text: str) -> list[Span]:
    """Non-empty lines, stripped of surrounding white space, with offsets."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip(_WS)
        if stripped:
            lead = len(raw) - len(raw.lstrip(_WS))
            out.append(Span(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _sub(span: Span, start: int, end: int) -> Span | None:
    """The part of span between relative offsets start and end, stripped; None if empty."""
    piece = span.text[start:end]
    stripped = piece.strip(_WS)
    if not stripped:
        return None
    lead = len(piece) - len(piece.lstrip(_WS))
    s = span.start + start + lead
    return Span(s, s + len(stripped), stripped)


def split_metadata(lines: list[Span]) -> tuple[list[Span], list[Span]]:
    """Separate bylines, datelines and credits (metadata) from content lines."""
    content: list[Span] = []
    meta: list[Span] = []
    for line in lines:
        if any(r.match(line.text) for r in _META_LINE_RES):
            meta.append(line)
            continue
        ends = [m.end() if (m := r.match(line.text)) else -1 for r in _META_PREFIX_RES]  # each pattern tried once
        if len(line.text) in ends:
            meta.append(line)  # a dateline alone on its line, e.g. 央视网消息（新闻联播）：
            continue
        cut = next((e for e in ends if e >= 0), -1)  # the first that matches: it leaves some text
        if cut >= 0:
            meta.append(_sub(line, 0, cut))
            line = _sub(line, cut, len(line.text))
        content.append(line)
    if content:
        m = _META_SUFFIX_RE.search(content[-1].text)
        if m:
            meta.append(_sub(content[-1], m.start(1), m.end(1)))
            rest = _sub(content[-1], 0, m.start())
            content[-1:] = [rest] if rest else []
    meta.sort(key=lambda s: s.start)
    return content, meta


def heading_text(line: str) -> str:
    """The heading's text without markdown markers."""
    return _MARKDOWN_RE.sub("", line, count=1).strip(_WS) if line.startswith("#") else line


def has_inner_sentence_end(line: str) -> bool:
    """Whether sentence punctuation occurs inside the line, before its final run of sentence ends and closers."""
    core = line.rstrip(CLOSERS).rstrip(SENTENCE_END)
    return any(ch in SENTENCE_END for ch in core)


def is_heading(line: str, mode: str, followed: bool = True) -> bool:
    """Whether a content line is a heading under a --headings mode; `followed`: more content comes after it."""
    if mode == "none":
        return False
    if mode == "auto":
        return (is_heading(line, "markdown") or is_heading(line, "numbered")
                or is_heading(line, "lines", followed))
    if mode == "markdown":
        return bool(_MARKDOWN_RE.match(line)) and bool(_WORDY_RE.search(line))
    if mode == "numbered":
        return bool(_NUMBERED_RE.match(line)) and len(line) <= MAX_NUMBERED_HEADING_CHARS
    if mode == "lines":  # an unmarked line heads something: the last line of a text is body text
        return (
            followed
            and len(line) <= MAX_HEADING_CHARS
            and not has_inner_sentence_end(line)
            and line.rstrip(CLOSERS)[-1:] not in ("", *HEADING_FORBIDDEN_END)  # a quoted sentence 他说：“好。” too
            and len(_WORDY_RE.findall(line)) >= 2
        )
    raise AnalysisError(f"unknown --headings mode {mode!r}; use one of {', '.join(HEADING_MODES)}")


def is_title(line: str, followed: bool = True) -> bool:
    """Whether the first content line reads as a title: a markdown heading; or, when more content follows it
    (`followed`), a short line without sentence punctuation inside and not ending like a sentence or clause
    (a final `？` / `！` is allowed)."""
    if line.startswith("#"):
        return True
    last = line.rstrip(CLOSERS)[-1:]
    return (
        followed
        and len(line) <= MAX_TITLE_CHARS
        and not has_inner_sentence_end(line)
        and bool(last)
        and (last not in HEADING_FORBIDDEN_END or last in TITLE_END_ALLOWED)
    )


def split_sentences(span: Span, section: int, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Split one paragraph into sentences with offsets; over-long runs are cut at a comma (or hard)."""
    out = []
    for m in _SENTENCE_RE.finditer(span.text):
        raw = m.group()
        stripped = raw.strip(_WS)
        if len(stripped) <= max_chars:  # most sentences: `_sub`'s piece, made straight into a sentence
            if stripped:
                start = span.start + m.start() + len(raw) - len(raw.lstrip(_WS))
                out.append(Sentence(section, start, start + len(stripped), stripped))
            continue
        piece = _sub(span, m.start(), m.end())
        while len(piece.text) > max_chars:
            window = piece.text[:max_chars]
            cut = max(window.rfind(","), window.rfind("，")) + 1 or max_chars
            head = _sub(piece, 0, cut)
            if head is not None:
                out.append(Sentence(section, head.start, head.end, head.text))
            piece = _sub(piece, cut, len(piece.text))
            if piece is None:
                break
        if piece is not None:
            out.append(Sentence(section, piece.start, piece.end, piece.text))
    return out


def segment(
    text: str, headings: str = "auto", max_chars: int = MAX_SENTENCE_CHARS, title: str = "auto"
) -> Segmented:
    """Split normalised text into title, sections, sentences and metadata (`title` "none": no title line)."""
    if headings not in HEADING_MODES:
        raise AnalysisError(f"unknown --headings mode {headings!r}; use one of {', '.join(HEADING_MODES)}")
    if title not in TITLE_MODES:
        raise AnalysisError(f"unknown --title mode {title!r}; use one of {', '.join(TITLE_MODES)}")
    content, meta = split_metadata(_lines(text))
    title_span = None
    if title == "auto" and content and is_title(content[0].text, followed=len(content) > 1):
        title_span = content[0]
    body = content[1:] if title_span else content
    title_text = heading_text(title_span.text) if title_span else ""
    sections = [Section(0, title_text, title_span)]
    for i, line in enumerate(body):
        if is_heading(line.text, headings, followed=i + 1 < len(body)):
            sections.append(Section(len(sections), heading_text(line.text), line))
        else:
            sections[-1].paragraphs.append(line)
    sentences = [s for sec in sections for p in sec.paragraphs for s in split_sentences(p, sec.index, max_chars)]
    return Segmented(text, title_text, title_span, sections, sentences, meta)
