/**
 * Codes caselens reads in FHIR resources: the standardised instruments it turns into
 * assessments (LOINC panel, total and item codes) and the LOINC answer codes they share.
 */

export interface FhirInstrument {
  /** caselens instrument id (as in frameworks/) */
  id: string;
  name: string;
  /** LOINC codes of the total score */
  totals: string[];
  /** LOINC codes of the panel / questionnaire */
  panels: string[];
  /** LOINC codes of the items, in questionnaire order */
  items: string[];
  /** matches a Questionnaire canonical URL or name */
  questionnaire: RegExp;
  /**
   * Valid scores: each item (whole numbers, inclusive) and the total. These mirror the instruments'
   * item `min`/`max` in the frameworks (frameworks/self-sufficiency.yaml); FHIR ingestion runs without
   * a framework, so they are kept here with the codes.
   */
  itemRange: readonly [number, number];
  totalRange: readonly [number, number];
}

export const FHIR_INSTRUMENTS: FhirInstrument[] = [
  {
    id: 'phq9', name: 'PHQ-9', totals: ['44261-6'], panels: ['44249-1'],
    items: ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'],
    questionnaire: /phq-?9(?!.*teen)|44249-1/i, itemRange: [0, 3], totalRange: [0, 27],
  },
  {
    id: 'gad7', name: 'GAD-7', totals: ['70274-6'], panels: ['69737-5'],
    items: ['69725-0', '68509-9', '69733-4', '69734-2', '69735-9', '69689-8', '69736-7'],
    questionnaire: /gad-?7|69737-5/i, itemRange: [0, 3], totalRange: [0, 21],
  },
  // Depression screens often recorded alongside: kept as their own measures, never mixed with PHQ-9.
  { id: 'phq2', name: 'PHQ-2', totals: ['55758-7'], panels: ['55757-9'], items: ['44250-9', '44255-8'], questionnaire: /phq-?2\b|55757-9/i,
    itemRange: [0, 3], totalRange: [0, 6],
  },
  { id: 'phqa', name: 'PHQ-9 modified for teens (PHQ-A)', totals: ['89204-2'], panels: ['89205-9'], items: [], questionnaire: /phq-?a\b|phq-?9.*teen|89205-9/i,
    itemRange: [0, 3], totalRange: [0, 27],
  },
];

/** LOINC answers of PHQ and GAD items, scored 0-3. */
export const LOINC_FREQUENCY_ANSWERS: Readonly<Record<string, number>> = {
  'LA6568-5': 0, // Not at all
  'LA6569-3': 1, // Several days
  'LA6570-1': 2, // More than half the days
  'LA6571-9': 3, // Nearly every day
};

/** The same answers by their wording, for questionnaires with their own answer codes. */
export const FREQUENCY_WORDING: Readonly<Record<string, number>> = {
  'not at all': 0,
  'several days': 1,
  'more than half the days': 2,
  'nearly every day': 3,
};

export const LOINC = 'http://loinc.org';
export const US_SSN = 'http://hl7.org/fhir/sid/us-ssn';
export const US_NPI = 'http://hl7.org/fhir/sid/us-npi';
/** An answer's numeric score: R4 ordinalValue, R5 itemWeight, STU3/DSTU2 iso21090-CO-value. */
export const ORDINAL_EXTENSIONS = [
  'http://hl7.org/fhir/StructureDefinition/ordinalValue',
  'http://hl7.org/fhir/StructureDefinition/itemWeight',
  'http://hl7.org/fhir/StructureDefinition/iso21090-CO-value',
];
