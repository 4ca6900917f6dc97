-- Schema version 7: the villager's own lookup goes by the last 4 ID characters (and a
-- written name); without these indexes each lookup scanned every payout row in the county.
-- The lookup by pinyin initials is gone, and its index with it.
DROP INDEX "payout_name_initials_id_last4";
CREATE INDEX "payout_id_last4" ON "payout" ("id_last4");
CREATE INDEX "payout_name" ON "payout" ("name");
