-- Quality reference data: the analyte vocabulary, the monographs and which lots they apply to, and the limits of
-- the Chinese Pharmacopoeia (中国药典) 2020 edition as given in domain.md.
-- NONE of these values has been checked against the printed pharmacopoeia: domain.md gives them "confirmed only
-- from secondary sources", and marks the 人参 heavy metals and the 红参 values as unverified. Every limit row
-- therefore has verified = false and says which of the two it is in `source`. Method references name the
-- pharmacopoeia's general chapters (通则) and are unverified too.
-- Versioned data: a new edition (e.g. 2025) is a NEW migration inserting rows with edition '2025' for every
-- monograph (lab reports are judged against the newest edition by default); a correction is a new migration,
-- never an edit of this file.
INSERT INTO "analytes" ("code", "name_zh", "name_en", "category", "units") VALUES
('ginsenoside_rg1_re', '人参皂苷Rg1和人参皂苷Re总量', 'ginsenosides Rg1 + Re', 'assay', ARRAY['%','mg/g']),
('ginsenoside_rb1', '人参皂苷Rb1', 'ginsenoside Rb1', 'assay', ARRAY['%','mg/g']),
('schisandrin', '五味子醇甲', 'schisandrin', 'assay', ARRAY['%','mg/g']),
('moisture', '水分', 'moisture', 'moisture', ARRAY['%']),
('total_ash', '总灰分', 'total ash', 'ash', ARRAY['%']),
('acid_insoluble_ash', '酸不溶性灰分', 'acid-insoluble ash', 'ash', ARRAY['%']),
('pb', '铅', 'lead', 'heavy_metal', ARRAY['mg/kg','ug/kg']),
('cd', '镉', 'cadmium', 'heavy_metal', ARRAY['mg/kg','ug/kg']),
('as', '砷', 'arsenic', 'heavy_metal', ARRAY['mg/kg','ug/kg']),
('hg', '汞', 'mercury', 'heavy_metal', ARRAY['mg/kg','ug/kg']),
('cu', '铜', 'copper', 'heavy_metal', ARRAY['mg/kg','ug/kg']),
('so2', '二氧化硫残留量', 'sulfur dioxide residue', 'so2', ARRAY['mg/kg']),
('pesticide_quintozene', '五氯硝基苯', 'quintozene (PCNB)', 'pesticide', ARRAY['mg/kg','ug/kg']),
('pesticide_hexachlorobenzene', '六氯苯', 'hexachlorobenzene', 'pesticide', ARRAY['mg/kg','ug/kg']),
('pesticide_bhc_total', '六六六（总BHC）', 'BHC (HCH), total', 'pesticide', ARRAY['mg/kg','ug/kg']),
('pesticide_ddt_total', '滴滴涕（总DDT）', 'DDT, total', 'pesticide', ARRAY['mg/kg','ug/kg']),
('pesticide_carbendazim', '多菌灵', 'carbendazim', 'pesticide', ARRAY['mg/kg','ug/kg']),
('pesticide_chlorpyrifos', '毒死蜱', 'chlorpyrifos', 'pesticide', ARRAY['mg/kg','ug/kg']);
--> statement-breakpoint
-- Which monograph a lot is judged against: same species, the lot's stage among `stages`, and attributes.form
-- equal to lot_form (a row with lot_form set wins over the row with lot_form null).
--   processed renshen, form 红参            → hongshen (红参)
--   processed renshen, any other form       → renshen (人参: 生晒参 and other dried root)
--   decoction_piece renshen, form 红参      → hongshen (红参片 follow the 红参 limits)
--   decoction_piece renshen, any other form → renshen_pian (人参片)
--   processed / decoction_piece wuweizi    → wuweizi (五味子);  lurong → lurong (鹿茸: identity only, no limits)
-- Fresh harvest lots and finished products have no monograph: their results are all no_limit.
INSERT INTO "monographs" ("code", "name_zh", "latin_name", "species_code", "stages", "lot_form") VALUES
('renshen', '人参', 'Ginseng Radix et Rhizoma', 'renshen', ARRAY['processed'], NULL),
('hongshen', '红参', 'Ginseng Radix et Rhizoma Rubra', 'renshen', ARRAY['processed','decoction_piece'], '红参'),
('renshen_pian', '人参片', 'Ginseng Radix et Rhizoma (decoction pieces)', 'renshen', ARRAY['decoction_piece'], NULL),
('wuweizi', '五味子', 'Schisandrae Chinensis Fructus', 'wuweizi', ARRAY['processed','decoction_piece'], NULL),
('lurong', '鹿茸', 'Cervi Cornu Pantotrichum', 'lurong', ARRAY['processed','decoction_piece'], NULL);
--> statement-breakpoint
INSERT INTO "pharmacopoeia_limits" ("id", "edition", "monograph_code", "analyte_code", "comparator", "value", "unit", "basis", "required", "method_reference", "verified", "source") VALUES
('cp2020-renshen-rg1re', '2020', 'renshen', 'ginsenoside_rg1_re', 'gte', 0.30, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-renshen-rb1', '2020', 'renshen', 'ginsenoside_rb1', 'gte', 0.20, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-renshen-moisture', '2020', 'renshen', 'moisture', 'lte', 12.0, '%', 'as_is', true, '通则0832 水分测定法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-renshen-ash', '2020', 'renshen', 'total_ash', 'lte', 5.0, '%', 'as_is', false, '通则2302 灰分测定法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-renshen-pb', '2020', 'renshen', 'pb', 'lte', 5, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-renshen-cd', '2020', 'renshen', 'cd', 'lte', 1, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-renshen-as', '2020', 'renshen', 'as', 'lte', 2, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-renshen-hg', '2020', 'renshen', 'hg', 'lte', 0.2, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-renshen-cu', '2020', 'renshen', 'cu', 'lte', 20, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-renshen-so2', '2020', 'renshen', 'so2', 'lte', 150, 'mg/kg', 'as_is', false, '通则2331 二氧化硫残留量测定法', false, 'domain.md: confirmed only from secondary sources (all herbs and decoction pieces)'),
('cp2020-hongshen-rg1re', '2020', 'hongshen', 'ginsenoside_rg1_re', 'gte', 0.25, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'domain.md: unverified (secondary source)'),
('cp2020-hongshen-rb1', '2020', 'hongshen', 'ginsenoside_rb1', 'gte', 0.20, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'domain.md: unverified (secondary source)'),
('cp2020-hongshen-moisture', '2020', 'hongshen', 'moisture', 'lte', 12.0, '%', 'as_is', true, '通则0832 水分测定法', false, 'domain.md: unverified (secondary source)'),
('cp2020-hongshen-so2', '2020', 'hongshen', 'so2', 'lte', 150, 'mg/kg', 'as_is', false, '通则2331 二氧化硫残留量测定法', false, 'domain.md: confirmed only from secondary sources (all herbs and decoction pieces)'),
('cp2020-renshen_pian-rg1re', '2020', 'renshen_pian', 'ginsenoside_rg1_re', 'gte', 0.30, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'ASSUMED: domain.md gives only the 人参 values (secondary sources); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-rb1', '2020', 'renshen_pian', 'ginsenoside_rb1', 'gte', 0.20, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'ASSUMED: domain.md gives only the 人参 values (secondary sources); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-moisture', '2020', 'renshen_pian', 'moisture', 'lte', 12.0, '%', 'as_is', true, '通则0832 水分测定法', false, 'ASSUMED: domain.md gives only the 人参 values (secondary sources); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-ash', '2020', 'renshen_pian', 'total_ash', 'lte', 5.0, '%', 'as_is', false, '通则2302 灰分测定法', false, 'ASSUMED: domain.md gives only the 人参 values (secondary sources); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-pb', '2020', 'renshen_pian', 'pb', 'lte', 5, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'ASSUMED: domain.md gives only the 人参 values (unverified, secondary source); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-cd', '2020', 'renshen_pian', 'cd', 'lte', 1, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'ASSUMED: domain.md gives only the 人参 values (unverified, secondary source); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-as', '2020', 'renshen_pian', 'as', 'lte', 2, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'ASSUMED: domain.md gives only the 人参 values (unverified, secondary source); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-hg', '2020', 'renshen_pian', 'hg', 'lte', 0.2, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'ASSUMED: domain.md gives only the 人参 values (unverified, secondary source); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-cu', '2020', 'renshen_pian', 'cu', 'lte', 20, 'mg/kg', 'as_is', false, '通则2321 铅、镉、砷、汞、铜测定法', false, 'ASSUMED: domain.md gives only the 人参 values (unverified, secondary source); applied to 人参片 until the 饮片 section is checked'),
('cp2020-renshen_pian-so2', '2020', 'renshen_pian', 'so2', 'lte', 150, 'mg/kg', 'as_is', false, '通则2331 二氧化硫残留量测定法', false, 'domain.md: confirmed only from secondary sources (all herbs and decoction pieces)'),
('cp2020-wuweizi-schisandrin', '2020', 'wuweizi', 'schisandrin', 'gte', 0.40, '%', 'dried', true, '通则0512 高效液相色谱法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-wuweizi-ash', '2020', 'wuweizi', 'total_ash', 'lte', 7.0, '%', 'as_is', false, '通则2302 灰分测定法', false, 'domain.md: confirmed only from secondary sources'),
('cp2020-wuweizi-so2', '2020', 'wuweizi', 'so2', 'lte', 150, 'mg/kg', 'as_is', false, '通则2331 二氧化硫残留量测定法', false, 'domain.md: confirmed only from secondary sources (all herbs and decoction pieces)');
--> statement-breakpoint
-- Lab reports, their items, grants and GI claims are history: append-only like events (0004).
CREATE TRIGGER lab_reports_append_only BEFORE UPDATE OR DELETE ON "lab_reports"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER lab_result_items_append_only BEFORE UPDATE OR DELETE ON "lab_result_items"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER lab_grants_append_only BEFORE UPDATE OR DELETE ON "lab_grants"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER gi_claims_append_only BEFORE UPDATE OR DELETE ON "gi_claims"
  FOR EACH ROW EXECUTE FUNCTION herbtrace_refuse_history_change();
