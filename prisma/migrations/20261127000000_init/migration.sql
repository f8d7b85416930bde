-- CreateTable
CREATE TABLE "product" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "permalink" TEXT NOT NULL,
    "category" TEXT,
    "icon_slug" TEXT,
    "version_command" TEXT,
    "release_policy_link" TEXT,
    "changelog_template" TEXT,
    "release_label" TEXT,
    "lts_label" TEXT,
    "eol_column" BOOLEAN NOT NULL DEFAULT true,
    "eol_label" TEXT,
    "eoas_column" BOOLEAN NOT NULL DEFAULT false,
    "eoas_label" TEXT,
    "eoes_column" BOOLEAN NOT NULL DEFAULT false,
    "eoes_label" TEXT,
    "discontinued_column" BOOLEAN NOT NULL DEFAULT false,
    "discontinued_label" TEXT,
    "latest_column" BOOLEAN NOT NULL DEFAULT true,
    "latest_label" TEXT,
    "release_date_column" BOOLEAN NOT NULL DEFAULT true,
    "release_date_label" TEXT,
    "sort_releases_by" TEXT,
    "stale_release_threshold_days" INTEGER,
    "added_at" DATE,
    "body" TEXT NOT NULL DEFAULT '',
    "front_matter" JSONB NOT NULL DEFAULT '{}',
    "warnings" JSONB NOT NULL DEFAULT '[]',
    "source_path" TEXT NOT NULL DEFAULT '',
    "content_hash" TEXT NOT NULL DEFAULT '',
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "edited_at" TIMESTAMPTZ(3),

    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "product_tag" (
    "product_id" INTEGER NOT NULL,
    "tag" TEXT NOT NULL,

    CONSTRAINT "product_tag_pkey" PRIMARY KEY ("product_id","tag")
);

-- CreateTable
CREATE TABLE "product_alias" (
    "alias" TEXT NOT NULL,
    "product_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "product_alias_pkey" PRIMARY KEY ("alias")
);

-- CreateTable
CREATE TABLE "identifier" (
    "id" SERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "identifier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "custom_field" (
    "product_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "display" TEXT NOT NULL,
    "label" TEXT,
    "description" TEXT,
    "link" TEXT,
    "position" INTEGER NOT NULL,

    CONSTRAINT "custom_field_pkey" PRIMARY KEY ("product_id","name")
);

-- CreateTable
CREATE TABLE "release_cycle" (
    "id" SERIAL NOT NULL,
    "product_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "codename" TEXT,
    "release_label" TEXT,
    "release_date" DATE,
    "latest" TEXT,
    "latest_release_date" DATE,
    "link_set" BOOLEAN NOT NULL DEFAULT false,
    "link" TEXT,
    "lts_flag" BOOLEAN,
    "lts_from" DATE,
    "eoas_flag" BOOLEAN,
    "eoas_from" DATE,
    "eol_flag" BOOLEAN,
    "eol_from" DATE,
    "eoes_flag" BOOLEAN,
    "eoes_from" DATE,
    "discontinued_flag" BOOLEAN,
    "discontinued_from" DATE,
    "out_of_order" BOOLEAN NOT NULL DEFAULT false,
    "cycle_short_hand" TEXT,
    "latest_short_hand" TEXT,
    "stale_release_threshold_days" INTEGER,
    "custom" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "edited_at" TIMESTAMPTZ(3),

    CONSTRAINT "release_cycle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deleted_product" (
    "name" TEXT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deleted_product_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "product_name_key" ON "product"("name");

-- CreateIndex
CREATE INDEX "product_category_idx" ON "product"("category");

-- CreateIndex
CREATE INDEX "product_tag_tag_idx" ON "product_tag"("tag");

-- CreateIndex
CREATE INDEX "product_alias_product_id_idx" ON "product_alias"("product_id");

-- CreateIndex
CREATE INDEX "identifier_value_idx" ON "identifier"("value");

-- CreateIndex
CREATE INDEX "identifier_type_value_idx" ON "identifier"("type", "value");

-- CreateIndex
CREATE UNIQUE INDEX "identifier_product_id_type_value_key" ON "identifier"("product_id", "type", "value");

-- CreateIndex
CREATE INDEX "release_cycle_eol_from_idx" ON "release_cycle"("eol_from");

-- CreateIndex
CREATE INDEX "release_cycle_release_date_idx" ON "release_cycle"("release_date");

-- CreateIndex
CREATE UNIQUE INDEX "release_cycle_product_id_name_key" ON "release_cycle"("product_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "release_cycle_product_id_position_key" ON "release_cycle"("product_id", "position");

-- AddForeignKey
ALTER TABLE "product_tag" ADD CONSTRAINT "product_tag_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "product_alias" ADD CONSTRAINT "product_alias_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "identifier" ADD CONSTRAINT "identifier_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_field" ADD CONSTRAINT "custom_field_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "release_cycle" ADD CONSTRAINT "release_cycle_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- ---------------------------------------------------------------------------------------------
-- Below: what schema.prisma cannot express (kept out of the drift check, see
-- test/integration/migrations.test.ts). Hand-written.
-- ---------------------------------------------------------------------------------------------

-- A date-or-boolean field is a boolean, a date, or absent: never both.
ALTER TABLE "release_cycle"
  ADD CONSTRAINT "release_cycle_lts_one_value" CHECK ("lts_flag" IS NULL OR "lts_from" IS NULL),
  ADD CONSTRAINT "release_cycle_eoas_one_value" CHECK ("eoas_flag" IS NULL OR "eoas_from" IS NULL),
  ADD CONSTRAINT "release_cycle_eol_one_value" CHECK ("eol_flag" IS NULL OR "eol_from" IS NULL),
  ADD CONSTRAINT "release_cycle_eoes_one_value" CHECK ("eoes_flag" IS NULL OR "eoes_from" IS NULL),
  ADD CONSTRAINT "release_cycle_discontinued_one_value" CHECK ("discontinued_flag" IS NULL OR "discontinued_from" IS NULL),
  -- a link value only exists when the document had a link key
  ADD CONSTRAINT "release_cycle_link_needs_key" CHECK ("link" IS NULL OR "link_set"),
  ADD CONSTRAINT "release_cycle_name_not_blank" CHECK (btrim("name") <> ''),
  ADD CONSTRAINT "release_cycle_position_not_negative" CHECK ("position" >= 0),
  ADD CONSTRAINT "release_cycle_custom_is_object" CHECK ("custom" IS NULL OR jsonb_typeof("custom") = 'object'),
  ADD CONSTRAINT "release_cycle_stale_days_not_negative" CHECK ("stale_release_threshold_days" IS NULL OR "stale_release_threshold_days" >= 0);

ALTER TABLE "product"
  ADD CONSTRAINT "product_name_is_slug" CHECK ("name" <> '' AND "name" !~ '[/[:space:]]'),
  ADD CONSTRAINT "product_label_not_blank" CHECK (btrim("label") <> ''),
  ADD CONSTRAINT "product_category_known" CHECK ("category" IS NULL OR "category" IN
    ('app', 'database', 'device', 'framework', 'lang', 'os', 'server-app', 'service', 'standard')),
  ADD CONSTRAINT "product_front_matter_is_object" CHECK (jsonb_typeof("front_matter") = 'object'),
  ADD CONSTRAINT "product_warnings_is_array" CHECK (jsonb_typeof("warnings") = 'array'),
  ADD CONSTRAINT "product_stale_days_not_negative" CHECK ("stale_release_threshold_days" IS NULL OR "stale_release_threshold_days" >= 0);

ALTER TABLE "product_tag" ADD CONSTRAINT "product_tag_not_blank" CHECK ("tag" <> '' AND "tag" !~ '[[:space:]]');
ALTER TABLE "product_alias" ADD CONSTRAINT "product_alias_not_blank" CHECK ("alias" <> '' AND "alias" !~ '[[:space:]]');
ALTER TABLE "identifier" ADD CONSTRAINT "identifier_not_blank" CHECK (btrim("type") <> '' AND btrim("value") <> '');
ALTER TABLE "custom_field"
  ADD CONSTRAINT "custom_field_name_not_blank" CHECK (btrim("name") <> ''),
  ADD CONSTRAINT "custom_field_display_known" CHECK ("display" IN
    ('none', 'api-only', 'after-release-column', 'before-latest-column', 'after-latest-column'));

-- Who is writing: the importer marks its transactions with SET LOCAL eolgraph.writer = 'importer'.
-- Every other change (Prisma Studio, psql, a BI tool) is an admin edit that the importer must not
-- silently overwrite.
CREATE FUNCTION "eolgraph_is_importer"() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('eolgraph.writer', true), '') = 'importer' $$;

CREATE FUNCTION "eolgraph_touch_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW."updated_at" := now();
  END IF;
  IF NOT "eolgraph_is_importer"() THEN
    NEW."edited_at" := now();
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "product_touch" BEFORE INSERT OR UPDATE ON "product"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_touch_row"();
CREATE TRIGGER "release_cycle_touch" BEFORE INSERT OR UPDATE ON "release_cycle"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_touch_row"();

-- A change to any row that belongs to a product marks the product as edited.
CREATE FUNCTION "eolgraph_mark_product_edited"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF "eolgraph_is_importer"() THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "product" SET "edited_at" = now() WHERE "id" = OLD."product_id";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "product" SET "edited_at" = now() WHERE "id" = NEW."product_id";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "release_cycle_marks_product" AFTER INSERT OR UPDATE OR DELETE ON "release_cycle"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_mark_product_edited"();
CREATE TRIGGER "product_tag_marks_product" AFTER INSERT OR UPDATE OR DELETE ON "product_tag"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_mark_product_edited"();
CREATE TRIGGER "product_alias_marks_product" AFTER INSERT OR UPDATE OR DELETE ON "product_alias"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_mark_product_edited"();
CREATE TRIGGER "identifier_marks_product" AFTER INSERT OR UPDATE OR DELETE ON "identifier"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_mark_product_edited"();
CREATE TRIGGER "custom_field_marks_product" AFTER INSERT OR UPDATE OR DELETE ON "custom_field"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_mark_product_edited"();

-- A product an admin deleted or renamed is remembered, so that the next import does not bring
-- the old name back behind the admin's back.
CREATE FUNCTION "eolgraph_remember_removed_product"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF "eolgraph_is_importer"() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' OR OLD."name" IS DISTINCT FROM NEW."name" THEN
    INSERT INTO "deleted_product" ("name") VALUES (OLD."name")
      ON CONFLICT ("name") DO UPDATE SET "deleted_at" = now();
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "product_remember_removed" AFTER DELETE OR UPDATE OF "name" ON "product"
  FOR EACH ROW EXECUTE FUNCTION "eolgraph_remember_removed_product"();
