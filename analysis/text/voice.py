"""Voice: which parts of a line are reported speech (`quoted`) and which are the outlet's own words (`own`).

The rule (README, "Voice"), applied to each line (title, heading or paragraph) of the character-aligned Simplified
copy, so it reads either script the same way:

1. **Quotation marks.** 「」 『』 “” ‘’ ﹁﹂ ﹃﹄ and straight "…" / ＂…＂ pairs, nested or not; an opening mark
   left open runs to the end of its line (a quotation running over several paragraphs reopens each one). The
   outermost span holds reported speech when
   a. a colon or a reporting verb stands right before its opening mark (`說：「`, `表示，“`, `直言:“`, `感叹“`), or
   b. a short clause ending in a reporting verb follows its closing mark before the sentence ends
      (`……，”他說。`, `」外交部發言人表示。`), or
   c. it is long: it holds clause punctuation (`，。！？；：`) or at least `LONG_QUOTE` characters.
   Any other quoted span (a term or a phrase: the demo title's “兩彈一星”, a name, scare quotes) is the outlet's own
   voice.
2. **Attributed clauses without quotation marks.** After a reporting verb (表示, 指出, 稱, 說, 認為, 強調, … — see
   `REPORTING_VERBS`) that is a word of its own (jieba's dictionary: not 小說, 稱為, 說明, 據說) and not the
   outlet's own (not after 我們, 本報, 筆者, 這, 被, nor in a discourse phrase such as 可以說, 需要指出), the rest
   of its sentence is quoted (`外交部發言人表示，中方堅決反對……`); when the verb is followed by a quotation, the
   quotation alone is. Verbs that also name plain actions (強調, 介紹, 回應, 宣布, …: `WEAK_VERBS`) attribute only
   when a comma, a colon or a quotation follows them. A sentence that ends in a short attribution (`……，他說。`) is
   quoted up to it.

Limits: no parser finds speakers, so speech marked only by a speaker's name (`他：……` aside) or by verbs outside
the list is read as the outlet's own; a long quoted title or slogan without attribution is read as speech; a
verb's scope ends with its sentence. The attribution itself (`外交部發言人表示`) stays the outlet's own. The rule
reads the Simplified copy of one line at a time, so a quotation never runs across lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .words import WordSegmenter, han_run, is_han

#: Opening mark → closing mark. Straight quotes open and close with the same mark.
QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”", "‘": "’", "﹁": "﹂", "﹃": "﹄", '"': '"', "＂": "＂"}
#: Closing mark → opening mark, for the marks that differ.
OPENERS = {v: k for k, v in QUOTE_PAIRS.items() if k != v}
#: Double marks: one left open runs to the end of its line (single marks left open are apostrophes or typos).
RUN_ON = frozenset("「“﹁\"＂")
#: Reporting verbs (Simplified: voice reads the Simplified copy) that attribute the rest of their sentence.
STRONG_VERBS = ("表示", "指出", "称", "说", "说道", "认为", "声称", "宣称", "直言", "坦言", "透露", "写道",
                "问道", "答道", "指称", "断言", "感叹", "重申")
#: Verbs that also name plain actions: they attribute only when a comma, a colon or a quotation follows them.
WEAK_VERBS = ("强调", "介绍", "据介绍", "回应", "补充", "解释", "宣布", "承认", "证实", "批评", "质疑", "警告", "呼吁",
              "提到", "谈到", "披露", "表态", "反驳", "直指", "抨击", "告诉")
REPORTING_VERBS = STRONG_VERBS + WEAK_VERBS
#: A word right before the verb that makes it the outlet's own: first person, 這表示, 被認為, 可以說, 需要指出 ….
OWN_BEFORE = frozenset({
    "我", "我们", "笔者", "这", "此", "被", "可以", "应该", "应当", "就是", "需要", "值得", "必须", "所", "不难",
    "不得不", "老实", "坦白", "简单", "比如", "譬如", "例如",
})
#: The outlet speaking of itself anywhere in the clause before the verb (本報評論員認為).
OWN_SUBJECTS = ("我们", "笔者", "本报", "本台", "本网", "本刊", "本文", "编者")
SENTENCE_END = "。！？!?；;"
CLAUSE_PUNCTUATION = "，,。！？!?；;：:"
COLONS = "：:"
COMMAS = "，,"
#: A quotation with at least this many characters inside (and no clause punctuation) is read as speech.
LONG_QUOTE = 16
#: The longest attribution clause after the words it attributes (`……，外交部發言人表示。`: speaker and verb).
MAX_ATTRIBUTION = 15
#: Where a reporting verb may start (a lookahead, so that 說 is tried where 說道 is not a word; the verbs' first
#: characters first, which the regex engine tests much faster than the alternatives).
_VERB_START_RE = re.compile("(?=[" + "".join(sorted({v[0] for v in REPORTING_VERBS})) + "])(?="
                            + "|".join(map(re.escape, REPORTING_VERBS)) + ")")
_VERBS_LONGEST_FIRST = sorted(REPORTING_VERBS, key=lambda v: (-len(v), v))
#: The verbs of _VERBS_LONGEST_FIRST (in its order) by their first character.
_VERBS_BY_FIRST = {c: [v for v in _VERBS_LONGEST_FIRST if v[0] == c] for c in {v[0] for v in REPORTING_VERBS}}
_WEAK = frozenset(WEAK_VERBS)
_PAD = " \t\u3000\u00a0"
_MARK_RE = re.compile("[" + re.escape("".join(sorted(set(QUOTE_PAIRS) | set(OPENERS)))) + "]")
_TRAILING = SENTENCE_END + "”」』’﹂﹄\"＂）)" + _PAD
_SENTENCE_END_RE = re.compile(f"[{re.escape(SENTENCE_END)}]")
_CLAUSE_RE = re.compile(f"[{re.escape(CLAUSE_PUNCTUATION)}]")
_COMMA_COLON_RE = re.compile(f"[{re.escape(COMMAS + COLONS)}]")
#: A line with none of these (no quotation mark, no reporting verb's first character) has nothing quoted.
_ANYTHING_RE = re.compile("[" + re.escape("".join(sorted(set(QUOTE_PAIRS) | set(OPENERS)
                                                          | {v[0] for v in REPORTING_VERBS}))) + "]")


class Quote(NamedTuple):
    """An outermost quotation: offsets of its opening mark and just past its closing mark (or the line's end)."""

    start: int
    end: int
    closed: bool

    def inner(self, line: str) -> str:
        """The quoted words, without the marks."""
        return line[self.start + 1:self.end - 1 if self.closed else self.end]


def quotations(line: str) -> list[Quote]:
    """The outermost quotations of a line, in order; nested marks are inside them, unmatched closing marks ignored,
    an opening double mark left open runs to the end of the line."""
    spans: list[Quote] = []
    stack: list[tuple[str, int]] = []
    for m in _MARK_RE.finditer(line):  # only quotation marks change anything
        i, ch = m.start(), m.group()
        if stack and ch == QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
        elif ch in OPENERS and any(mark == OPENERS[ch] for mark, _ in stack):
            while stack[-1][0] != OPENERS[ch]:  # marks left open inside are closed with it
                stack.pop()
            _, start = stack.pop()
        elif ch in QUOTE_PAIRS:
            stack.append((ch, i))
            continue
        else:
            continue
        if not stack:
            spans.append(Quote(start, i + 1, True))
    if stack and stack[0][0] in RUN_ON:
        spans.append(Quote(stack[0][1], len(line), False))
    return spans


def _sentence_start(line: str, pos: int) -> int:
    """Just past the last sentence end before `pos` (0 if none)."""
    return max(line.rfind(c, 0, pos) for c in SENTENCE_END) + 1


def _sentence_end(line: str, pos: int) -> int:
    """Just past the first sentence end at or after `pos` (the line's end if none)."""
    m = _SENTENCE_END_RE.search(line, pos)
    return m.end() if m else len(line)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class VoiceReader:
    """Finds the quoted parts of lines by the module's rule; `default_reader()` is the process's one."""

    def __init__(self, segmenter: WordSegmenter | None = None) -> None:
        self.words = segmenter or WordSegmenter()

    def reporting_verbs(self, line: str) -> list[tuple[int, int]]:
        """(start, end) of each reporting verb of a line that attributes: a word of its own, not the outlet's."""
        out: list[tuple[int, int]] = []
        for m in _VERB_START_RE.finditer(line):
            a = m.start()
            if out and a < out[-1][1]:
                continue
            for verb in (v for v in _VERBS_BY_FIRST[line[a]] if line.startswith(v, a)):
                if self._is_word(line, a, a + len(verb)):
                    if not self._outlet_speaks(line, a):
                        out.append((a, a + len(verb)))
                    break
        return out

    def _is_word(self, line: str, a: int, b: int) -> bool:
        lo, hi = han_run(line, a, b)
        cuts = self.words.boundaries(line[lo:hi])
        return a - lo in cuts and b - lo in cuts and not any(a - lo < c < b - lo for c in cuts)

    def _outlet_speaks(self, line: str, a: int) -> bool:
        """The verb at `a` is the outlet's own: after 我, 這, 被, 可以, 需要 … or in a clause where it names itself."""
        lo, hi = han_run(line, a, a)
        cuts = self.words.boundaries(line[lo:hi])
        before = max((c for c in cuts if c < a - lo), default=None)
        if before is not None and line[lo + before:a] in OWN_BEFORE:
            return True
        clause = line[max(line.rfind(c, 0, a) for c in CLAUSE_PUNCTUATION) + 1:a]  # after the last punctuation
        return any(s in clause for s in OWN_SUBJECTS)

    def quoted(self, line: str) -> list[tuple[int, int]]:
        """The quoted parts of a line of the Simplified copy: sorted, non-overlapping (start, end) offsets."""
        if _ANYTHING_RE.search(line) is None:
            return []
        verbs = self.reporting_verbs(line)
        quotes = quotations(line)
        spans = [(q.start, q.end) for q in quotes if self._is_speech(line, q, verbs)]
        for a, b in verbs:
            if any(q.start < a < q.end for q in quotes):
                continue  # a verb inside a quotation is part of what is quoted
            rest = b
            while rest < len(line) and line[rest] in COMMAS + COLONS + _PAD:
                rest += 1
            stop = _sentence_end(line, b)
            following = next((q for q in quotes if q.start == rest), None)
            if following is not None:
                spans.append((following.start, following.end))  # the verb's words are the quotation after it
            elif line[b:stop].strip(_TRAILING) == "":
                spans.append(self._attributed(line, a))  # the verb closes its sentence: `……，他說。`
            elif line[a:b] not in _WEAK or any(c in COMMAS + COLONS for c in line[b:rest]):
                spans.append((rest, stop))
        return _merge(spans)

    def _is_speech(self, line: str, q: Quote, verbs: list[tuple[int, int]]) -> bool:
        """A quotation is speech when attributed before or after, or long; else a term, name or scare quotes."""
        inner = q.inner(line)
        return (_CLAUSE_RE.search(inner) is not None or len(inner) >= LONG_QUOTE
                or self._introduced(line, q.start, verbs) or self._followed(line, q.end, verbs))

    @staticmethod
    def _introduced(line: str, start: int, verbs: list[tuple[int, int]]) -> bool:
        """A colon, or a reporting verb (then maybe a comma), right before an opening mark."""
        i = start
        while i > 0 and line[i - 1] in _PAD:
            i -= 1
        if i > 0 and line[i - 1] in COLONS:
            return True
        if i > 0 and line[i - 1] in COMMAS:
            i -= 1
        return any(b == i for _, b in verbs)

    @staticmethod
    def _followed(line: str, end: int, verbs: list[tuple[int, int]]) -> bool:
        """A short clause ending in a reporting verb after a closing mark, before the sentence ends: `”他說。`"""
        clause = line[end:_sentence_end(line, end)].rstrip(_TRAILING)
        body = clause.lstrip(COMMAS + _PAD)
        if not body or len(body) > MAX_ATTRIBUTION or _COMMA_COLON_RE.search(body):
            return False
        return any(a >= end and b == end + len(clause) for a, b in verbs)

    @staticmethod
    def _attributed(line: str, a: int) -> tuple[int, int]:
        """What a sentence-final attribution (`……，他說。`) attributes: the sentence up to the attribution's comma;
        nothing when the attribution is longer than MAX_ATTRIBUTION or has no comma before it."""
        start = _sentence_start(line, a)
        comma = max(line.rfind("，", start, a), line.rfind(",", start, a))
        if comma < 0 or a - comma - 1 > MAX_ATTRIBUTION:
            return (start, start)
        return (start, comma)


@lru_cache(maxsize=1)
def default_reader() -> VoiceReader:
    """The process's voice reader (jieba's dictionary alone: a lexicon never changes whose words are whose)."""
    return VoiceReader()


def han_inside(spans: list[tuple[int, int]], text: str, start: int, end: int) -> int:
    """Han characters of text[start:end] that lie inside the sorted, non-overlapping spans."""
    k = bisect_right([b for _, b in spans], start)
    n = 0
    for a, b in spans[k:]:
        if a >= end:
            break
        n += sum(1 for ch in text[max(a, start):min(b, end)] if is_han(ch))
    return n


def quoted_han_share(spans: list[tuple[int, int]], text: str, start: int, end: int) -> float:
    """The share of the Han characters of text[start:end] inside the sorted, non-overlapping spans (0 if none)."""
    han = sum(1 for ch in text[start:end] if is_han(ch))
    return han_inside(spans, text, start, end) / han if han else 0.0


class QuotedIndex:
    """`han_inside`, `quoted_han_share` and `in_spans` over one text at once: prefix sums of its Han characters, and
    of those inside the sorted, non-overlapping quoted spans, so that each count costs the same whatever the number
    of spans or sentences (a long document stays linear)."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        han = ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF))  # as is_han
        del cps
        self.quoted = np.zeros(len(text), dtype=bool)
        for a, b in spans:
            self.quoted[a:b] = True
        width = np.int32 if len(text) < 2**31 else np.int64  # 9 bytes a character: a long document stays small
        self._han = np.zeros(len(text) + 1, dtype=width)
        np.cumsum(han, dtype=width, out=self._han[1:])
        han &= self.quoted
        self._inside = np.zeros(len(text) + 1, dtype=width)
        np.cumsum(han, dtype=width, out=self._inside[1:])

    def han(self, start: int, end: int) -> int:
        """Han characters of text[start:end]."""
        return int(self._han[end] - self._han[start])

    def han_inside(self, start: int, end: int) -> int:
        """Han characters of text[start:end] inside the spans (`han_inside`)."""
        return int(self._inside[end] - self._inside[start])

    def counts(self, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
        """`han` and `han_inside` of each range text[start:end], all at once."""
        return ((self._han[ends] - self._han[starts]).tolist(),
                (self._inside[ends] - self._inside[starts]).tolist())

    def quoted_shares(self, starts: list[int], ends: list[int]) -> list[float]:
        """`quoted_han_share` of each range text[start:end]."""
        han = (self._han[ends] - self._han[starts]).tolist()
        inside = (self._inside[ends] - self._inside[starts]).tolist()
        return [i / h if h else 0.0 for i, h in zip(inside, han, strict=True)]

    def in_spans(self, pos: int) -> bool:
        """Whether offset `pos` lies inside one of the spans (`in_spans`)."""
        return bool(self.quoted[pos])


def in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether offset `pos` lies inside one of the sorted, non-overlapping spans."""
    k = bisect_right([b for _, b in spans], pos)
    return k < len(spans) and spans[k][0] <= pos
