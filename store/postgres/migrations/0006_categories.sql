-- The feed's categories (tags) of each article, for category: filter terms.
ALTER TABLE articles ADD COLUMN categories text[] NOT NULL DEFAULT '{}';
