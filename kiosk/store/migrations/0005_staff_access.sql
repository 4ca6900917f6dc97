-- Schema version 5: the staff PIN (scrypt hash) and its lock-out live in the database, not in
-- the world-readable settings file, so `kiosk set-pin` and a running kiosk share one truth.
-- One row (id 1). The lock began at locked_at (wall clock, shown to staff) and at
-- locked_monotonic seconds of the boot named boot_id: its length is measured on the
-- monotonic clock, so setting the wall clock forward or back neither lengthens nor ends it.
CREATE TABLE "staff_access" ("id" INTEGER NOT NULL PRIMARY KEY, "pin_hash" VARCHAR(255) NOT NULL, "failures" INTEGER NOT NULL, "locked_at" DATETIME, "locked_monotonic" REAL, "boot_id" VARCHAR(255) NOT NULL);
