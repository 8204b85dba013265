-- Full-text index over services(name, description), kept in step by triggers.
CREATE VIRTUAL TABLE `services_fts` USING fts5(name, description, content='services', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `services_fts_ai` AFTER INSERT ON `services` BEGIN
  INSERT INTO services_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `services_fts_ad` AFTER DELETE ON `services` BEGIN
  INSERT INTO services_fts(services_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
END;
--> statement-breakpoint
CREATE TRIGGER `services_fts_au` AFTER UPDATE OF name, description ON `services` BEGIN
  INSERT INTO services_fts(services_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
  INSERT INTO services_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
END;
