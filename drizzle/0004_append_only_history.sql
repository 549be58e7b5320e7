-- The history is append-only (design invariant 5): a correction is a new event, never an edit. The database
-- itself refuses UPDATE, DELETE and TRUNCATE on the history tables, whatever the application does.
CREATE FUNCTION herbtrace_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'P0001', HINT = 'record a correcting event instead';
END
$$;
--> statement-breakpoint
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON "events"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON "events"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER event_lots_append_only BEFORE UPDATE OR DELETE ON "event_lots"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER event_lots_no_truncate BEFORE TRUNCATE ON "event_lots"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER lot_edges_append_only BEFORE UPDATE OR DELETE ON "lot_edges"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER lot_edges_no_truncate BEFORE TRUNCATE ON "lot_edges"
  FOR EACH STATEMENT EXECUTE FUNCTION herbtrace_refuse_history_change();
