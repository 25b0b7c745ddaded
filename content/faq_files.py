"""The chatbot's FAQ files, read and written by hand: nlu_data/faq.yml holds `faq/<key>` with
its examples, chatbot/domain/faq.yml `utter_faq/<key>` with its answer.

Both are generated from the FAQ table by `flask content faq-export` (content/cli.py); what Rasa
reads from them (keys, examples, answers) is exactly the table's active entries. The writer is
hand-made so the files stay readable (block scalars wrapped at 110 columns) and it checks that
they read back exactly as the table says. Nothing here touches the database (content/faq.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import yaml

GENERATED_HEADER = (
    "# Generated from the FAQ table (content_faq_entries) by `flask content faq-export`.\n"
    "# Do not edit by hand: change the FAQ in the comms console (or /staff/content/faq) and export\n"
    "# again; `flask content faq-import` loads this file into the table.\n"
)
NLU_COMMENT = (
    "# Retrieval intents, answered by the ResponseSelector with utter_faq/<key> from\n"
    "# chatbot/domain/faq.yml. Policy questions, not the citizen's own data.\n"
)
DOMAIN_COMMENT = "# Answers for the retrieval intent `faq` (ResponseSelector). Keys match nlu_data/faq.yml.\n"
_WRAP = 110


class FaqFileError(ValueError):
    """The training files cannot be read as FAQ data (the message says where and why)."""


@dataclass(frozen=True)
class FaqItem:
    key: str
    questions: tuple[str, ...]
    answer: str


def parse_faq_files(nlu_text: str, domain_text: str) -> dict[str, FaqItem]:
    """The FAQ as Rasa reads it from the two files: key -> examples and answer."""
    try:
        nlu = yaml.safe_load(nlu_text) or {}
        domain = yaml.safe_load(domain_text) or {}
    except yaml.YAMLError as exc:
        raise FaqFileError(f"YAML không hợp lệ: {exc}") from exc
    examples: dict[str, list[str]] = {}
    for item in nlu.get("nlu") or ():
        intent = str(item.get("intent", ""))
        if not intent.startswith("faq/"):
            continue
        lines = str(item.get("examples") or "").splitlines()
        examples[intent[4:]] = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
    answers: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        if not str(name).startswith("utter_faq/"):
            continue
        texts = [v.get("text") for v in variants or () if isinstance(v, dict)]
        if len(texts) != 1 or not isinstance(texts[0], str) or len(variants[0]) != 1:
            raise FaqFileError(
                f"{name}: cần đúng một câu trả lời dạng text (bảng FAQ giữ một câu trả lời mỗi mục)."
            )
        answers[str(name)[len("utter_faq/") :]] = texts[0]
    missing_answer = sorted(set(examples) - set(answers))
    missing_examples = sorted(set(answers) - set(examples))
    if missing_answer or missing_examples:
        raise FaqFileError(
            "Hai tệp không khớp nhau: "
            + "; ".join(
                part
                for part in (
                    f"thiếu câu trả lời cho {', '.join(missing_answer)}" if missing_answer else "",
                    f"thiếu câu hỏi mẫu cho {', '.join(missing_examples)}" if missing_examples else "",
                )
                if part
            )
        )
    return {key: FaqItem(key, tuple(examples[key]), answers[key]) for key in sorted(examples)}


def _block(text: str, indent: str) -> str:
    """`text` as a YAML block scalar that reads back exactly as `text`."""
    if "\n" in text:
        body = "\n".join(indent + line if line else "" for line in text.split("\n"))
        return "|-\n" + body
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > _WRAP:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return ">-\n" + "\n".join(indent + line for line in lines)


def _scalar(text: str, indent: str) -> str:
    """A block scalar when it reads back exactly; otherwise a double-quoted one (always exact)."""
    block = _block(text, indent)
    try:
        if yaml.safe_load("x: " + block) == {"x": text}:
            return block
    except yaml.YAMLError:
        pass
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=10**6).strip()


def render_faq_files(items: Iterable[FaqItem]) -> tuple[str, str]:
    """(nlu_data/faq.yml, chatbot/domain/faq.yml) for these entries, sorted by key."""
    items = sorted(items, key=lambda item: item.key)
    nlu = [GENERATED_HEADER, NLU_COMMENT, 'version: "3.1"\n\nnlu:\n']
    for index, item in enumerate(items):
        if index:
            nlu.append("\n")
        nlu.append(f"- intent: faq/{item.key}\n  examples: |\n")
        nlu.extend(f"    - {question}\n" for question in item.questions)
    domain = [GENERATED_HEADER, 'version: "3.1"\n\nintents:\n  - faq\n\n', DOMAIN_COMMENT, "responses:\n"]
    for index, item in enumerate(items):
        if index:
            domain.append("\n")
        domain.append(f"  utter_faq/{item.key}:\n  - text: {_scalar(item.answer, '      ')}\n")
    nlu_text, domain_text = "".join(nlu), "".join(domain)
    # The files must say exactly what the table says; refuse to write anything else.
    parsed = parse_faq_files(nlu_text, domain_text)
    if parsed != {item.key: item for item in items}:  # pragma: no cover - a bug in the writer
        raise FaqFileError("Tệp sinh ra không khớp với bảng FAQ.")
    return nlu_text, domain_text
