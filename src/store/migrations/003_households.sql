-- Households on cases (HUD HMIS: Enrollment.HouseholdID and RelationshipToHoH).
-- A household groups the cases of people who enrolled together; the relationship is to the
-- head of household, as the source labels it (e.g. "Self (head of household)", "Child").
ALTER TABLE cases ADD COLUMN household_id VARCHAR;
ALTER TABLE cases ADD COLUMN relationship_to_hoh VARCHAR;
