ALTER TABLE "lots" ADD COLUMN "parent_lot_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "lots" ADD COLUMN "parent_quantities" numeric(20, 3)[] DEFAULT '{}'::numeric[] NOT NULL;--> statement-breakpoint
ALTER TABLE "lots" ADD COLUMN "parent_units" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Copy the edges of existing lots (a lot's parents never change after it is made).
UPDATE "lots" SET "parent_lot_ids" = e.ids, "parent_quantities" = e.quantities, "parent_units" = e.units
FROM (
  SELECT child_lot_id, array_agg(parent_lot_id ORDER BY parent_lot_id) AS ids,
    array_agg(parent_quantity ORDER BY parent_lot_id) AS quantities, array_agg(parent_unit ORDER BY parent_lot_id) AS units
  FROM lot_edges GROUP BY child_lot_id
) e
WHERE e.child_lot_id = "lots"."id";
