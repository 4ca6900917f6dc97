-- Schema version 9: answers that travel sealed. The feed's "replies" dataset no longer
-- carries receipt numbers, envelope ids or answer text in clear: a row is found by a hash
-- of the receipt number (lookup), acknowledges the exact envelope by its digest, and holds
-- the answer sealed to the key on the villager's paper receipt (kiosk.formats.replies).
-- The table is refilled by the next sync. The inbox key now carries its expiry.
DROP TABLE "reply";
CREATE TABLE "reply" ("lookup" VARCHAR(32) NOT NULL PRIMARY KEY, "envelope_digest" VARCHAR(32), "kind" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL, "received_on" DATE NOT NULL, "due_on" DATE NOT NULL, "answered_on" DATE, "answer_sealed" TEXT NOT NULL);
CREATE UNIQUE INDEX "reply_envelope_digest" ON "reply" ("envelope_digest");
ALTER TABLE "feed_state" ADD COLUMN "inbox_key_expires" DATE;
-- The next sync must fetch the replies partition again (its rows were dropped above).
DELETE FROM "feed_partition" WHERE "target" LIKE 'replies%';
