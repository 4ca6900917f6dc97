-- Schema version 3: which feed partitions (TUF targets) the terminal holds, by content hash,
-- so a sync applies only the partitions whose hash changed.
CREATE TABLE "feed_partition" ("target" VARCHAR(255) NOT NULL PRIMARY KEY, "sha256" VARCHAR(64) NOT NULL, "feed_version" INTEGER NOT NULL, "applied_at" DATETIME NOT NULL);
