"""Policy content, as the rest of the system sees it: articles, their readers, and the FAQ (the
chatbot's `faq/*`). The schemas, the demo seeding and other domains use these names.

The rules live in modules of their own:

- content/articles.py: composing articles, the review workflow (four eyes), versions, lists;
- content/readers.py: what a reader (citizen or anonymous) sees, reads, reach and statistics;
- content/faq.py: editing FAQ entries, and loading them from / exporting them for the chatbot;
- content/faq_files.py: the chatbot's FAQ files (nlu_data/faq.yml, chatbot/domain/faq.yml),
  read and written by hand;
- content/workflow.py: the article's status machine (one table of moves);
- content/versioning.py: the optimistic concurrency every edit goes through.
"""

from __future__ import annotations

from content.articles import (
    SLUG_PATTERN,
    allowed_actions,
    article_content,
    article_version,
    article_versions,
    audience_of,
    categories,
    create_article,
    edit_article,
    get_article,
    slugify,
    staff_articles,
    transition,
)
from content.faq import (
    FAQ_KEY_PATTERN,
    IMPORT_CATEGORIES,
    REQUIRED_FAQ_KEYS,
    ImportReport,
    create_faq,
    edit_faq,
    export_items,
    faq_content,
    faq_entries,
    faq_versions,
    get_faq,
    import_faq,
    normalise_answer,
    unsafe_character,
    unsafe_character_message,
)
from content.faq_files import FaqFileError, FaqItem, parse_faq_files, render_faq_files
from content.readers import (
    ANONYMOUS,
    Reader,
    age_on,
    public_article,
    public_articles,
    reach,
    reader_for_citizen,
    record_read,
    statistics,
)
from content.versioning import check_version
from content.workflow import ACTIONS, EDITABLE, MACHINE, Transition

__all__ = [
    "ACTIONS",
    "ANONYMOUS",
    "EDITABLE",
    "FAQ_KEY_PATTERN",
    "IMPORT_CATEGORIES",
    "MACHINE",
    "REQUIRED_FAQ_KEYS",
    "SLUG_PATTERN",
    "FaqFileError",
    "FaqItem",
    "ImportReport",
    "Reader",
    "Transition",
    "age_on",
    "allowed_actions",
    "article_content",
    "article_version",
    "article_versions",
    "audience_of",
    "categories",
    "check_version",
    "create_article",
    "create_faq",
    "edit_article",
    "edit_faq",
    "export_items",
    "faq_content",
    "faq_entries",
    "faq_versions",
    "get_article",
    "get_faq",
    "import_faq",
    "normalise_answer",
    "parse_faq_files",
    "public_article",
    "public_articles",
    "reach",
    "reader_for_citizen",
    "record_read",
    "render_faq_files",
    "slugify",
    "staff_articles",
    "statistics",
    "transition",
    "unsafe_character",
    "unsafe_character_message",
]
