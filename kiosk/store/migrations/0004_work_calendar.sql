-- Schema version 4: holidays and 调休 workdays, for notice periods counted in working days.
CREATE TABLE "work_day" ("day" DATE NOT NULL PRIMARY KEY, "kind" VARCHAR(255) NOT NULL, "note" VARCHAR(255) NOT NULL);
