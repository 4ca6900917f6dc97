-- Schema version 12: what the terminal knows about its own health, for the signed status
-- report it sends with every push (kiosk.formats.status_report). Counts and states only:
-- nothing about any villager. Times are ISO 8601 with a zone (UTC).
-- usage_count: page views, prints and verifications per month and kind.
CREATE TABLE "usage_count" ("month" VARCHAR(7) NOT NULL, "kind" VARCHAR(32) NOT NULL, "count" INTEGER NOT NULL, PRIMARY KEY ("month", "kind"));
-- fault: one row per fault while it lasts; cleared is set when its condition is gone.
CREATE TABLE "fault" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(32) NOT NULL, "since" VARCHAR(40) NOT NULL, "cleared" VARCHAR(40), "detail" TEXT NOT NULL);
CREATE INDEX "fault_open" ON "fault" ("code", "cleared");
-- print_job: each job handed to the print system, and what became of it (CUPS says
-- little about paper: a job that never leaves the queue is the sign).
CREATE TABLE "print_job" ("id" INTEGER NOT NULL PRIMARY KEY, "at" VARCHAR(40) NOT NULL, "what" VARCHAR(32) NOT NULL, "printer" VARCHAR(255) NOT NULL, "job_id" VARCHAR(255) NOT NULL, "pages" INTEGER NOT NULL, "outcome" VARCHAR(16) NOT NULL, "error" TEXT NOT NULL, "settled_at" VARCHAR(40));
-- run: each start of the kiosk, what it found (screen, handwriting, speech) and whether it
-- ended cleanly.
CREATE TABLE "run" ("id" INTEGER NOT NULL PRIMARY KEY, "started_at" VARCHAR(40) NOT NULL, "clean" INTEGER NOT NULL, "screen" VARCHAR(11) NOT NULL, "handwriting" INTEGER NOT NULL, "speech" INTEGER NOT NULL);
