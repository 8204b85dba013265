CREATE TABLE `reviews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`subject_id` integer NOT NULL,
	`author_role` text NOT NULL,
	`rating` integer NOT NULL,
	`comment` text DEFAULT '' NOT NULL,
	`publish_due_at` integer NOT NULL,
	`published_at` integer,
	`publish_batch` text,
	`hidden_at` integer,
	`hidden_reason` text,
	`hidden_by_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subject_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`hidden_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "reviews_rating_range" CHECK("reviews"."rating" BETWEEN 1 AND 5),
	CONSTRAINT "reviews_author_role" CHECK("reviews"."author_role" IN ('client', 'worker'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_order_author_unique` ON `reviews` (`order_id`,`author_role`);--> statement-breakpoint
CREATE INDEX `reviews_publish_due_idx` ON `reviews` (`publish_due_at`) WHERE published_at IS NULL;--> statement-breakpoint
CREATE INDEX `reviews_publish_batch_idx` ON `reviews` (`publish_batch`);--> statement-breakpoint
CREATE INDEX `reviews_subject_idx` ON `reviews` (`subject_id`,`author_role`,`published_at`);--> statement-breakpoint
CREATE TABLE `client_ratings` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`rating_hundredths` integer NOT NULL,
	`reviews_count` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
