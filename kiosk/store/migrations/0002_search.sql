-- Schema version 2: full-text search over catalogue entries, Q&A, documents and guides.
-- Text is stored pre-split into CJK bigrams (see kiosk/store/text.py), so a 2-character
-- query such as 低保 is one token; FTS5's own trigram tokenizer needs 3 characters.
CREATE VIRTUAL TABLE "search_index" USING fts5(
    kind UNINDEXED,
    ref_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61'
);
