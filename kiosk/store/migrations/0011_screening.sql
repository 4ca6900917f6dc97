-- Schema version 11: 政策找人. The county's policies and their conditions, one dated value a
-- row (kiosk.formats.screening evaluates them). Replaced as a whole by each sync; nothing
-- about any villager: the answers are never stored.
CREATE TABLE "screening_policy" ("code" VARCHAR(255) NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "category" VARCHAR(255) NOT NULL, "department" VARCHAR(255) NOT NULL, "benefit" TEXT NOT NULL, "mode" VARCHAR(255) NOT NULL, "place" TEXT NOT NULL, "materials" TEXT NOT NULL, "phone" VARCHAR(255) NOT NULL, "time_limit" TEXT NOT NULL, "reference" TEXT NOT NULL, "document_index" VARCHAR(255) NOT NULL, "qa_code" VARCHAR(255) NOT NULL, "valid_from" DATE NOT NULL, "valid_until" DATE, "remark" VARCHAR(255) NOT NULL);
CREATE TABLE "screening_condition" ("id" INTEGER NOT NULL PRIMARY KEY, "policy_code" VARCHAR(255) NOT NULL, "group" INTEGER NOT NULL, "question" VARCHAR(255) NOT NULL, "comparison" VARCHAR(255) NOT NULL, "value" VARCHAR(255) NOT NULL, "label" VARCHAR(255) NOT NULL, "valid_from" DATE, "valid_until" DATE, "reference" TEXT NOT NULL);
CREATE INDEX "screening_condition_policy_code" ON "screening_condition" ("policy_code");
