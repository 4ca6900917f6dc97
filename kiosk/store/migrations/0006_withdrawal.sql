-- Schema version 6: town-years whose payouts the county withdrew on purpose (feed.json
-- "withdrawn"). Replaced as a whole by every sync, in the same transaction that removes the
-- partition's rows; the payouts page shows the reason instead of the rows.
CREATE TABLE "withdrawal" ("id" INTEGER NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL, "town_code" VARCHAR(9) NOT NULL, "reason" TEXT NOT NULL, "withdrawn_at" VARCHAR(255) NOT NULL, "feed_version" INTEGER NOT NULL);
CREATE UNIQUE INDEX "withdrawal_year_town_code" ON "withdrawal" ("year", "town_code");
