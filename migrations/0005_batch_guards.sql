CREATE TABLE `batch_guards` (
	`order_guard` integer,
	`payment_guard` integer,
	CONSTRAINT "order_guard" CHECK("batch_guards"."order_guard" IS NULL),
	CONSTRAINT "payment_guard" CHECK("batch_guards"."payment_guard" IS NULL)
);
