-- The feed's categories (tags) of each article, for category: filter terms.
ALTER TABLE articles ADD COLUMN categories TEXT NOT NULL DEFAULT '[]'; -- JSON array
