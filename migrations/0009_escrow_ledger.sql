-- Escrow: one row per paid order, from the charge until the money reached the worker (or the client).
CREATE TABLE `escrows` (
	`order_id` integer PRIMARY KEY NOT NULL REFERENCES `orders`(`id`) ON DELETE cascade,
	`payment_id` text NOT NULL,
	`currency` text NOT NULL DEFAULT 'USD',
	`status` text NOT NULL DEFAULT 'held',
	`charged_cents` integer NOT NULL,
	`refunded_cents` integer NOT NULL DEFAULT 0,
	`amount_cents` integer NOT NULL,
	`fee_basis_points` integer NOT NULL,
	`fee_fixed_cents` integer NOT NULL,
	`platform_fee_cents` integer NOT NULL,
	`worker_amount_cents` integer NOT NULL,
	`release_hours` integer NOT NULL,
	`release_at` integer,
	`released_at` integer,
	`confirmed_at` integer,
	`worker_id` integer,
	`transfer_id` text,
	`gateway_transfer_id` text,
	`claimed_at` integer,
	`refunded_after_release_cents` integer NOT NULL DEFAULT 0,
	`reversed_cents` integer NOT NULL DEFAULT 0,
	`fee_returned_cents` integer NOT NULL DEFAULT 0,
	`dispute_reason` text,
	`disputed_at` integer,
	`dispute_escalated_at` integer,
	`dispute_resolution` text,
	`dispute_refund_cents` integer,
	`dispute_resolved_at` integer,
	`chargeback_id` text,
	`chargeback_status` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `escrows_due_idx` ON `escrows` (`status`,`release_at`);
--> statement-breakpoint
CREATE INDEX `escrows_worker_idx` ON `escrows` (`worker_id`,`released_at`);
--> statement-breakpoint
CREATE INDEX `escrows_payment_idx` ON `escrows` (`payment_id`);
--> statement-breakpoint
-- Append-only: every movement of money, signed from the platform's holding account (+ in, - out).
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`payment_id` text,
	`kind` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`reference` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_entries_order_idx` ON `ledger_entries` (`order_id`);
--> statement-breakpoint
CREATE INDEX `ledger_entries_kind_idx` ON `ledger_entries` (`kind`,`created_at`);
--> statement-breakpoint
CREATE TRIGGER `ledger_entries_no_update` BEFORE UPDATE ON `ledger_entries`
BEGIN
	SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_entries_no_delete` BEFORE DELETE ON `ledger_entries`
BEGIN
	SELECT RAISE(ABORT, 'ledger_entries is append-only');
END;
--> statement-breakpoint
CREATE TABLE `payout_accounts` (
	`user_id` integer PRIMARY KEY NOT NULL REFERENCES `users`(`id`) ON DELETE cascade,
	`gateway` text NOT NULL,
	`account_id` text NOT NULL,
	`status` text NOT NULL DEFAULT 'pending',
	`requirements` text NOT NULL DEFAULT '[]',
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payout_accounts_account_unique` ON `payout_accounts` (`account_id`);
--> statement-breakpoint
ALTER TABLE `batch_guards` ADD `escrow_guard` integer CONSTRAINT "escrow_guard" CHECK("escrow_guard" IS NULL);
--> statement-breakpoint
-- A charge the gateway confirmed, whichever path recorded it (request, retry job, webhook): money in;
-- once per payment.
CREATE TRIGGER `ledger_charge` AFTER UPDATE OF `status` ON `payments`
WHEN OLD.`status` = 'processing' AND NEW.`status` = 'completed'
BEGIN
	INSERT INTO `ledger_entries` (`order_id`, `payment_id`, `kind`, `amount_cents`, `reference`, `created_at`)
	SELECT NEW.`order_id`, NEW.`id`, 'charge', NEW.`amount_cents`, NEW.`gateway_transaction_id`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE NOT EXISTS (SELECT 1 FROM `ledger_entries` WHERE `payment_id` = NEW.`id` AND `kind` = 'charge');
END;
--> statement-breakpoint
-- A refund the gateway confirmed: money out to the client. Still held: the escrow shrinks and its fee is
-- recomputed on what is kept; already (being) released: the worker's share is owed back (a reversal).
CREATE TRIGGER `ledger_refund` AFTER UPDATE OF `gateway_refund_id` ON `refunds`
WHEN OLD.`gateway_refund_id` IS NULL AND NEW.`gateway_refund_id` IS NOT NULL
BEGIN
	INSERT INTO `ledger_entries` (`order_id`, `payment_id`, `kind`, `amount_cents`, `reference`, `created_at`)
	SELECT p.`order_id`, p.`id`, 'refund', -NEW.`amount_cents`, NEW.`id`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	FROM `payments` p WHERE p.`id` = NEW.`payment_id`;
	UPDATE `escrows` SET
		`refunded_cents` = `refunded_cents` + NEW.`amount_cents`,
		`amount_cents` = max(`amount_cents` - NEW.`amount_cents`, 0),
		`platform_fee_cents` = min(max(`amount_cents` - NEW.`amount_cents`, 0),
			(max(`amount_cents` - NEW.`amount_cents`, 0) * `fee_basis_points` + 5000) / 10000 + `fee_fixed_cents`),
		`worker_amount_cents` = max(`amount_cents` - NEW.`amount_cents`, 0) - min(max(`amount_cents` - NEW.`amount_cents`, 0),
			(max(`amount_cents` - NEW.`amount_cents`, 0) * `fee_basis_points` + 5000) / 10000 + `fee_fixed_cents`),
		`status` = CASE WHEN `amount_cents` - NEW.`amount_cents` <= 0 THEN 'refunded' ELSE `status` END,
		`updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE `payment_id` = NEW.`payment_id` AND `status` IN ('held', 'disputed', 'awaiting_account');
	UPDATE `escrows` SET
		`refunded_after_release_cents` = `refunded_after_release_cents` + NEW.`amount_cents`,
		`updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE `payment_id` = NEW.`payment_id` AND `status` IN ('releasing', 'released');
END;
--> statement-breakpoint
-- Completion starts the release clock: release_at = completed_at + the hours fixed when the order was paid.
CREATE TRIGGER `escrow_release_clock` AFTER UPDATE OF `status` ON `orders`
WHEN NEW.`status` = 'completed' AND OLD.`status` <> 'completed'
BEGIN
	UPDATE `escrows` SET
		`release_at` = coalesce(NEW.`completed_at`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) + `release_hours` * 3600000,
		`updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE `order_id` = NEW.`id` AND `release_at` IS NULL;
END;
--> statement-breakpoint
-- A confirmed refund that the gateway later failed (Stripe refund.updated) is undone by deleting it:
-- the money is back with the platform. Not when its payment is being deleted with an old order
-- (order-cleanup), which moves no money.
CREATE TRIGGER `ledger_refund_failed` AFTER DELETE ON `refunds`
WHEN OLD.`gateway_refund_id` IS NOT NULL AND EXISTS (SELECT 1 FROM `payments` WHERE `id` = OLD.`payment_id`)
BEGIN
	INSERT INTO `ledger_entries` (`order_id`, `payment_id`, `kind`, `amount_cents`, `reference`, `created_at`)
	SELECT p.`order_id`, p.`id`, 'refund', OLD.`amount_cents`, 'failed:' || OLD.`id`, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	FROM `payments` p WHERE p.`id` = OLD.`payment_id`;
	UPDATE `escrows` SET
		`refunded_cents` = `refunded_cents` - OLD.`amount_cents`,
		`amount_cents` = `amount_cents` + OLD.`amount_cents`,
		`platform_fee_cents` = min(`amount_cents` + OLD.`amount_cents`, ((`amount_cents` + OLD.`amount_cents`) * `fee_basis_points` + 5000) / 10000 + `fee_fixed_cents`),
		`worker_amount_cents` = `amount_cents` + OLD.`amount_cents` - min(`amount_cents` + OLD.`amount_cents`, ((`amount_cents` + OLD.`amount_cents`) * `fee_basis_points` + 5000) / 10000 + `fee_fixed_cents`),
		`status` = CASE WHEN `status` = 'refunded' THEN 'held' ELSE `status` END,
		`updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE `payment_id` = OLD.`payment_id` AND `status` IN ('held', 'disputed', 'awaiting_account', 'refunded');
	UPDATE `escrows` SET
		`refunded_after_release_cents` = max(`refunded_after_release_cents` - OLD.`amount_cents`, 0),
		`updated_at` = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
	WHERE `payment_id` = OLD.`payment_id` AND `status` IN ('releasing', 'released');
END;
