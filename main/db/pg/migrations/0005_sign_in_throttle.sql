CREATE TABLE "sign_in_throttle" (
	"key" text COLLATE "C" PRIMARY KEY NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"in_flight" integer DEFAULT 0 NOT NULL,
	"in_flight_until" bigint DEFAULT 0 NOT NULL,
	"last_fail_at" bigint DEFAULT 0 NOT NULL,
	"locked_until" bigint DEFAULT 0 NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sign_in_throttle_expires_idx" ON "sign_in_throttle" USING btree ("expires_at");