-- Schema version 10: 意见征集. The year's 重大行政决策事项目录, the drafts put out for comment
-- (one row per version, with their articles), the county's 采纳情况 per article, and which
-- article each villager's comment was on (by a hash of its receipt number; the digest
-- acknowledges its envelope). All replaced as a whole by each sync; nothing personal.
CREATE TABLE "decision" ("code" VARCHAR(255) NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL, "title" VARCHAR(255) NOT NULL, "department" VARCHAR(255) NOT NULL, "stage" VARCHAR(255) NOT NULL, "planned" VARCHAR(255) NOT NULL, "decided_on" DATE, "outcome" TEXT NOT NULL);
CREATE TABLE "draft" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "decision_code" VARCHAR(255) NOT NULL, "title" VARCHAR(255) NOT NULL, "background" TEXT NOT NULL, "summary" TEXT NOT NULL, "affects" TEXT NOT NULL, "opens_on" DATE NOT NULL, "closes_on" DATE NOT NULL, "short_reason" TEXT NOT NULL, "department" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL, "address" VARCHAR(255) NOT NULL, "meetings" TEXT NOT NULL, "signed" INTEGER NOT NULL);
CREATE UNIQUE INDEX "draft_code_version" ON "draft" ("code", "version");
CREATE TABLE "draft_article" ("id" INTEGER NOT NULL PRIMARY KEY, "draft_code" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "article" INTEGER NOT NULL, "clause" INTEGER, "heading" VARCHAR(255) NOT NULL, "text" TEXT NOT NULL);
CREATE INDEX "draft_article_draft_code_version_article_clause" ON "draft_article" ("draft_code", "version", "article", "clause");
CREATE TABLE "adoption" ("id" INTEGER NOT NULL PRIMARY KEY, "draft_code" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "article" INTEGER NOT NULL, "clause" INTEGER, "received" INTEGER NOT NULL, "agree" INTEGER NOT NULL, "disagree" INTEGER NOT NULL, "suggest" INTEGER NOT NULL, "outcome" VARCHAR(255) NOT NULL, "reason" TEXT NOT NULL, "published_on" DATE NOT NULL);
CREATE INDEX "adoption_draft_code_version_article_clause" ON "adoption" ("draft_code", "version", "article", "clause");
CREATE TABLE "comment_receipt" ("lookup" VARCHAR(32) NOT NULL PRIMARY KEY, "envelope_digest" VARCHAR(32) NOT NULL, "draft_code" VARCHAR(255) NOT NULL, "version" INTEGER NOT NULL, "article" INTEGER NOT NULL, "clause" INTEGER, "received_on" DATE NOT NULL);
CREATE UNIQUE INDEX "comment_receipt_envelope_digest" ON "comment_receipt" ("envelope_digest");
