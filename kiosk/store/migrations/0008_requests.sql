-- Schema version 8: the way back. "reply" holds the county's answers to villagers'
-- requests (feed dataset "replies", replaced as a whole by each sync): where each request
-- stands, by receipt number, and so which envelopes the county has received. No personal
-- data. The feed also carries the county's inbox public key, which requests are sealed to.
CREATE TABLE "reply" ("receipt" VARCHAR(255) NOT NULL PRIMARY KEY, "envelope_id" VARCHAR(255) NOT NULL, "kind" VARCHAR(255) NOT NULL, "status" VARCHAR(255) NOT NULL, "received_on" DATE NOT NULL, "due_on" DATE NOT NULL, "answered_on" DATE, "answer" TEXT NOT NULL);
CREATE UNIQUE INDEX "reply_envelope_id" ON "reply" ("envelope_id");
ALTER TABLE "feed_state" ADD COLUMN "inbox_key" TEXT;
