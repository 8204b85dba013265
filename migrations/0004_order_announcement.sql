ALTER TABLE `orders` ADD `announce_after` integer;--> statement-breakpoint
CREATE INDEX `orders_announcing_idx` ON `orders` (`created_at`) WHERE announce_after IS NOT NULL;