/**
 * HUD HMIS CSV FY2024 value lists that caselens uses to label and validate coded fields.
 *
 * Written for caselens from the HMIS CSV Format Specifications FY2024 and the HMIS Data
 * Dictionary (list ids such as 3.12.1 are HUD's). Codes and labels are facts of the
 * specification; only the lists caselens reads are here. `test/sources/hmis-values.test.ts`
 * checks them against HUD's machine-readable specification when `../shared/data` is present.
 */

export interface HudList {
  /** HUD's list id, e.g. "3.12.1" */
  id: string;
  name: string;
  /** code (as written in the CSV) → label */
  values: Readonly<Record<string, string>>;
}

const list = (id: string, name: string, values: Record<string, string>): HudList => ({ id, name, values });

const REASONS_MISSING = { '8': "Client doesn't know", '9': 'Client prefers not to answer', '99': 'Data not collected' } as const;

export const HUD = {
  recordType: list('1.4', 'RecordType', {
    '141': 'PATH service',
    '142': 'RHY service connections',
    '143': 'HOPWA service',
    '144': 'SSVF service',
    '151': 'HOPWA financial assistance',
    '152': 'SSVF financial assistance',
    '161': 'PATH referral',
    '200': 'Bed night',
    '210': 'HUD-VASH OTH voucher tracking',
    '300': 'Moving On assistance provided',
  }),
  hashStatus: list('1.5', 'HashStatus', { '1': 'Unhashed', '2': 'SHA-1 RHY', '3': 'Hashed - other', '4': 'SHA-256 (RHY)' }),
  raceGenderNone: list('1.6', 'RaceNone / GenderNone', { ...REASONS_MISSING }),
  noYesMissing: list('1.7', 'NoYesMissing', { '0': 'No', '1': 'Yes', '99': 'Data not collected' }),
  noYesReasons: list('1.8', 'NoYesReasonsForMissingData', { '0': 'No', '1': 'Yes', ...REASONS_MISSING }),
  noYes: list('1.10', 'NoYes', { '0': 'No', '1': 'Yes' }),
  projectType: list('2.02.6', 'ProjectType', {
    '0': 'Emergency Shelter - Entry Exit',
    '1': 'Emergency Shelter - Night-by-Night',
    '2': 'Transitional Housing',
    '3': 'PH - Permanent Supportive Housing',
    '4': 'Street Outreach',
    '6': 'Services Only',
    '7': 'Other',
    '8': 'Safe Haven',
    '9': 'PH - Housing Only',
    '10': 'PH - Housing with Services (no disability required for entry)',
    '11': 'Day Shelter',
    '12': 'Homelessness Prevention',
    '13': 'PH - Rapid Re-Housing',
    '14': 'Coordinated Entry',
  }),
  // HUD's machine-readable specification uses this one list for Destination, LivingSituation and CurrentLivingSituation.
  destination: list('3.12.1', 'Destination / living situation', {
    '101': 'Emergency shelter, including hotel or motel paid for with emergency shelter voucher, Host Home shelter',
    '116': 'Place not meant for habitation (e.g., a vehicle, an abandoned building, bus/train/subway station/airport or anywhere outside)',
    '118': 'Safe Haven',
    '204': 'Psychiatric hospital or other psychiatric facility',
    '205': 'Substance abuse treatment facility or detox center',
    '206': 'Hospital or other residential non-psychiatric medical facility',
    '207': 'Jail, prison, or juvenile detention facility',
    '215': 'Foster care home or foster care group home',
    '225': 'Long-term care facility or nursing home',
    '302': 'Transitional housing for homeless persons (including homeless youth)',
    '312': 'Staying or living with family, temporary tenure (e.g. room, apartment, or house)',
    '313': 'Staying or living with friends, temporary tenure (e.g. room, apartment, or house)',
    '314': 'Hotel or motel paid for without emergency shelter voucher',
    '327': 'Moved from one HOPWA funded project to HOPWA TH',
    '329': 'Residential project or halfway house with no homeless criteria',
    '332': 'Host Home (non-crisis)',
    '335': "Staying or living in a family member's room, apartment, or house",
    '336': "Staying or living in a friend's room, apartment, or house",
    '410': 'Rental by client, no ongoing housing subsidy',
    '411': 'Owned by client, no ongoing housing subsidy',
    '421': 'Owned by client, with ongoing housing subsidy',
    '422': 'Staying or living with family, permanent tenure',
    '423': 'Staying or living with friends, permanent tenure',
    '426': 'Moved from one HOPWA funded project to HOPWA PH',
    '435': 'Rental by client, with ongoing housing subsidy',
    '8': "Client doesn't know",
    '9': 'Client prefers not to answer',
    '17': 'Other',
    '24': 'Deceased',
    '30': 'No exit interview completed',
    '37': 'Worker unable to determine',
    '99': 'Data not collected',
  }),
  relationshipToHoH: list('3.15.1', 'RelationshipToHoH', {
    '1': 'Self (head of household)',
    '2': "Head of household's child",
    '3': "Head of household's spouse or partner",
    '4': "Head of household's other relation member",
    '5': 'Other: non-relation member',
    '99': 'Data not collected',
  }),
  whenOccurred: list('4.11.A', 'WhenDVOccurred', {
    '1': 'Within the past three months',
    '2': 'Three to six months ago (excluding six months exactly)',
    '3': 'Six months to one year ago (excluding one year exactly)',
    '4': 'One year or more',
    ...REASONS_MISSING,
  }),
  bedNight: list('4.14', 'BedNight', { '200': 'Bed night' }),
  assessmentType: list('4.19.3', 'AssessmentType', { '1': 'Phone', '2': 'Virtual', '3': 'In Person' }),
  assessmentLevel: list('4.19.4', 'AssessmentLevel', { '1': 'Crisis Needs Assessment', '2': 'Housing Needs Assessment' }),
  prioritizationStatus: list('4.19.7', 'PrioritizationStatus', { '1': 'Placed on prioritization list', '2': 'Not placed on prioritization list' }),
  dataCollectionStage: list('5.03.1', 'DataCollectionStage', { '1': 'Project entry', '2': 'Update', '3': 'Project exit', '5': 'Annual assessment', '6': 'Post-exit' }),
  movingOnAssistance: list('C2.2', 'MovingOnAssistance', {
    '1': 'Subsidized housing application assistance',
    '2': 'Financial assistance for Moving On',
    '3': 'Non-financial assistance for Moving On',
    '4': 'Housing referral/placement',
    '5': 'Other',
  }),
  pathServices: list('P1.2', 'PATHServices', {
    '1': 'Re-engagement',
    '2': 'Screening',
    '3': 'Habilitation/rehabilitation',
    '4': 'Community mental health',
    '5': 'Substance use treatment',
    '6': 'Case management',
    '7': 'Residential supportive services',
    '8': 'Housing minor renovation',
    '9': 'Housing moving assistance',
    '10': 'Housing eligibility determination',
    '11': 'Security deposits',
    '12': 'One-time rent for eviction prevention',
    '14': 'Clinical assessment',
  }),
  pathReferral: list('P2.2', 'PATHReferral', {
    '1': 'Community mental health',
    '2': 'Substance use treatment',
    '3': 'Primary health/dental care',
    '4': 'Job training',
    '5': 'Educational services',
    '6': 'Housing services',
    '7': 'Permanent housing',
    '8': 'Income assistance',
    '9': 'Employment assistance',
    '10': 'Medical insurance',
    '11': 'Temporary housing',
  }),
  rhyServices: list('R14.2', 'RHYServices', {
    '2': 'Community service/service learning (CSL)',
    '5': 'Education',
    '6': 'Employment and training services',
    '7': 'Criminal justice /legal services',
    '8': 'Life skills training',
    '10': 'Parenting education for youth with children',
    '12': 'Post-natal care for client (person who gave birth)',
    '13': 'Pre-natal care',
    '14': 'Health/medical care',
    '17': 'Substance use disorder treatment',
    '18': 'Substance use disorder/Prevention Services',
    '26': 'Home-based Services',
    '27': 'Post-natal newborn care (wellness exams; immunizations)',
    '28': 'STD Testing',
    '29': 'Street-based Services',
  }),
  lastGradeCompleted: list('R4.1', 'LastGradeCompleted', {
    '1': 'Less than grade 5',
    '2': 'Grades 5-6',
    '3': 'Grades 7-8',
    '4': 'Grades 9-11',
    '5': 'Grade 12',
    '6': 'School program does not have grade levels',
    '7': 'GED',
    '10': 'Some college',
    '11': "Associate's degree",
    '12': "Bachelor's degree",
    '13': 'Graduate degree',
    '14': 'Vocational certification',
    ...REASONS_MISSING,
  }),
  schoolStatus: list('R5.1', 'SchoolStatus', {
    '1': 'Attending school regularly',
    '2': 'Attending school irregularly',
    '3': 'Graduated from high school',
    '4': 'Obtained GED',
    '5': 'Dropped out',
    '6': 'Suspended',
    '7': 'Expelled',
    ...REASONS_MISSING,
  }),
  employmentType: list('R6.A', 'EmploymentType', { '1': 'Full-time', '2': 'Part-time', '3': 'Seasonal / sporadic (including day labor)', '99': 'Data not collected' }),
  notEmployedReason: list('R6.B', 'NotEmployedReason', { '1': 'Looking for work', '2': 'Unable to work', '3': 'Not looking for work', '99': 'Data not collected' }),
  healthStatus: list('R7.1', 'HealthStatus', { '1': 'Excellent', '2': 'Very good', '3': 'Good', '4': 'Fair', '5': 'Poor', ...REASONS_MISSING }),
  ssvfServices: list('V2.2', 'SSVFServices', {
    '1': 'Outreach services',
    '2': 'Case management services',
    '3': 'Assistance obtaining VA benefits',
    '4': 'Assistance obtaining/coordinating other public benefits',
    '5': 'Direct provision of other public benefits',
    '6': 'Other (non-TFA) supportive service approved by VA',
    '7': 'Shallow Subsidy',
    '8': 'Returning Home',
    '9': 'Rapid Resolution',
  }),
  ssvfFinancialAssistance: list('V3.3', 'SSVFFinancialAssistance', {
    '1': 'Rental assistance',
    '2': 'Security deposit',
    '3': 'Utility deposit',
    '4': 'Utility fee payment assistance',
    '5': 'Moving costs',
    '8': 'Transportation services: tokens/vouchers',
    '9': 'Transportation services: vehicle repair/maintenance',
    '10': 'Child care',
    '12': 'General housing stability assistance',
    '14': 'Emergency housing assistance',
    '15': 'Shallow Subsidy - Financial Assistance',
    '16': 'Food assistance',
    '17': 'Landlord Incentive',
    '18': 'Tenant Incentive',
  }),
  vashVoucherTracking: list('V8.2', 'VoucherTracking', {
    '1': 'Referral package forwarded to PHA',
    '2': 'Voucher denied by PHA',
    '3': 'Voucher issued by PHA',
    '4': 'Voucher revoked or expired',
    '5': 'Voucher in use - veteran moved into housing',
    '6': 'Voucher was ported locally',
    '7': 'Voucher was administratively absorbed by new PHA',
    '8': 'Voucher was converted to Housing Choice Voucher',
    '9': 'Veteran exited - voucher was returned',
    '10': 'Veteran exited - family maintained the voucher',
    '11': 'Veteran exited - prior to ever receiving a voucher',
    '12': 'Other',
  }),
  hopwaServices: list('W1.2', 'HOPWAServices', {
    '1': 'Adult day care and personal assistance',
    '2': 'Case management',
    '3': 'Child care',
    '4': 'Criminal justice/legal services',
    '5': 'Education',
    '6': 'Employment and training services',
    '7': 'Food/meals/nutritional services',
    '8': 'Health/medical care',
    '9': 'Life skills training',
    '10': 'Mental health care/counseling',
    '11': 'Outreach and/or engagement',
    '12': 'Substance use services/treatment',
    '13': 'Transportation',
    '14': 'Other HOPWA funded service',
  }),
  hopwaFinancialAssistance: list('W2.2', 'HOPWAFinancialAssistance', {
    '1': 'Rental assistance',
    '2': 'Security deposits',
    '3': 'Utility deposits',
    '4': 'Utility payments',
    '7': 'Mortgage assistance',
  }),
} as const satisfies Record<string, HudList>;

/** Services.TypeProvided is coded from a different list for each Services.RecordType. */
export const TYPE_PROVIDED_LIST: Readonly<Record<string, HudList>> = {
  '141': HUD.pathServices,
  '142': HUD.rhyServices,
  '143': HUD.hopwaServices,
  '144': HUD.ssvfServices,
  '151': HUD.hopwaFinancialAssistance,
  '152': HUD.ssvfFinancialAssistance,
  '161': HUD.pathReferral,
  '200': HUD.bedNight,
  '210': HUD.vashVoucherTracking,
  '300': HUD.movingOnAssistance,
};

/** Client race and ethnicity (3.04.1): one 0/1 column per option. */
export const RACE_COLUMNS: ReadonlyArray<readonly [column: string, label: string]> = [
  ['AmIndAKNative', 'American Indian, Alaska Native, or Indigenous'],
  ['Asian', 'Asian or Asian American'],
  ['BlackAfAmerican', 'Black, African American, or African'],
  ['HispanicLatinaeo', 'Hispanic/Latina/e/o'],
  ['MidEastNAfrican', 'Middle Eastern or North African'],
  ['NativeHIPacific', 'Native Hawaiian or Pacific Islander'],
  ['White', 'White'],
];

/** Client gender (3.06.1): one 0/1 column per option. */
export const GENDER_COLUMNS: ReadonlyArray<readonly [column: string, label: string]> = [
  ['Woman', 'Woman (Girl, if child)'],
  ['Man', 'Man (Boy, if child)'],
  ['NonBinary', 'Non-Binary'],
  ['CulturallySpecific', 'Culturally Specific Identity (e.g., Two-Spirit)'],
  ['Transgender', 'Transgender'],
  ['Questioning', 'Questioning'],
  ['DifferentIdentity', 'Different Identity'],
];

/** Income sources (4.02): yes/no column, amount column, label. */
export const INCOME_SOURCES: ReadonlyArray<readonly [flag: string, amount: string, label: string]> = [
  ['Earned', 'EarnedAmount', 'Earned income'],
  ['Unemployment', 'UnemploymentAmount', 'Unemployment insurance'],
  ['SSI', 'SSIAmount', 'Supplemental Security Income (SSI)'],
  ['SSDI', 'SSDIAmount', 'Social Security Disability Insurance (SSDI)'],
  ['VADisabilityService', 'VADisabilityServiceAmount', 'VA service-connected disability compensation'],
  ['VADisabilityNonService', 'VADisabilityNonServiceAmount', 'VA non-service-connected disability pension'],
  ['PrivateDisability', 'PrivateDisabilityAmount', 'Private disability insurance'],
  ['WorkersComp', 'WorkersCompAmount', "Worker's compensation"],
  ['TANF', 'TANFAmount', 'Temporary Assistance for Needy Families (TANF)'],
  ['GA', 'GAAmount', 'General assistance (GA)'],
  ['SocSecRetirement', 'SocSecRetirementAmount', 'Retirement income from Social Security'],
  ['Pension', 'PensionAmount', 'Pension or retirement income from a former job'],
  ['ChildSupport', 'ChildSupportAmount', 'Child support'],
  ['Alimony', 'AlimonyAmount', 'Alimony and other spousal support'],
  ['OtherIncomeSource', 'OtherIncomeAmount', 'Other source'],
];

/** Non-cash benefits (4.03) and health insurance (4.04): yes/no column, label. */
export const BENEFIT_SOURCES: ReadonlyArray<readonly [flag: string, label: string]> = [
  ['SNAP', 'Supplemental Nutrition Assistance Program (SNAP)'],
  ['WIC', 'Special Supplemental Nutrition Program for Women, Infants, and Children (WIC)'],
  ['TANFChildCare', 'TANF child care services'],
  ['TANFTransportation', 'TANF transportation services'],
  ['OtherTANF', 'Other TANF-funded services'],
  ['OtherBenefitsSource', 'Other source'],
];
export const INSURANCE_SOURCES: ReadonlyArray<readonly [flag: string, label: string]> = [
  ['Medicaid', 'Medicaid'],
  ['Medicare', 'Medicare'],
  ['SCHIP', "State Children's Health Insurance Program"],
  ['VHAServices', "Veteran's Health Administration (VHA)"],
  ['EmployerProvided', 'Employer-provided health insurance'],
  ['COBRA', 'Health insurance obtained through COBRA'],
  ['PrivatePay', 'Private pay health insurance'],
  ['StateHealthIns', 'State Health Insurance for Adults'],
  ['IndianHealthServices', 'Indian Health Services Program'],
  ['OtherInsurance', 'Other'],
];

/** Assessment timepoints from DataCollectionStage (5.03.1). */
export const STAGE_TIMEPOINT: Readonly<Record<string, 'baseline' | 'interim' | 'exit' | 'followup'>> = {
  '1': 'baseline', // project entry
  '2': 'interim', // update
  '3': 'exit', // project exit
  '5': 'interim', // annual assessment
  '6': 'followup', // post-exit
};

/* ------------------------------------------------------------------------------------------------
 * FY2026 (HMIS CSV "2026 v1", in force from 1 October 2025). Only what differs from FY2024 for the
 * columns caselens reads; every other list is FY2024's unchanged. Checked against Green River's
 * machine-readable FY2026 lists by test/sources/hmis-fy2026.test.ts.
 * ---------------------------------------------------------------------------------------------- */

/** HUD fiscal years of the HMIS CSV format that caselens reads. */
export type HmisFiscalYear = 2024 | 2026;

const FY2024_DESTINATION = HUD.destination.values as Record<string, string>;

export const HUD_FY2026 = {
  ...HUD,
  // Exit Destination has its own list (3.12) in FY2026: the exit codes of the shared FY2024 list 3.12.1, without
  // 335, 336 (prior living situation only) and 37 (current living situation only). Labels stay FY2024's wording
  // so that closure reasons read the same whichever format a case was loaded from.
  destination: list(
    '3.12',
    'Destination',
    Object.fromEntries(Object.entries(FY2024_DESTINATION).filter(([code]) => !['335', '336', '37'].includes(code))),
  ),
  ssvfServices: list('V2.2', 'SSVFServices', { ...HUD.ssvfServices.values, '10': 'Healthcare Navigation' }),
  // same codes as FY2024's W2.2, renumbered
  hopwaFinancialAssistance: list('V2.3', 'HOPWAFinancialAssistance', { ...HUD.hopwaFinancialAssistance.values }),
  // new: Client.Sex replaces the gender columns (Woman, Man, …, GenderNone)
  sex: list('4.21', 'Sex', { '0': 'Female', '1': 'Male', ...REASONS_MISSING }),
  // new: Enrollment.MentalHealthConsultation (SSVF); caselens has no canonical column for it, it is not loaded
  mentalHealthConsultation: list('V10', 'MentalHealthConsultation', {
    '1': 'Mental health consultation completed',
    '2': 'Mental health consultation being coordinated/arranged with VA provider',
    '3': 'Mental health consultation being coordinated/arranged with other provider',
    '4': 'Offer declined',
  }),
} as const satisfies Record<string, HudList>;

/** The value lists of a fiscal year's format. */
export function hudLists(fiscalYear: HmisFiscalYear): typeof HUD | typeof HUD_FY2026 {
  return fiscalYear === 2026 ? HUD_FY2026 : HUD;
}

/** Services.TypeProvided per RecordType, FY2026. */
export const TYPE_PROVIDED_LIST_FY2026: Readonly<Record<string, HudList>> = {
  ...TYPE_PROVIDED_LIST,
  '144': HUD_FY2026.ssvfServices,
  '151': HUD_FY2026.hopwaFinancialAssistance,
};

/**
 * Client race and ethnicity, FY2026: the Hispanic column is spelled `HispanicLatinao` (HUD's label
 * "Hispanic/Latina/o"). The canonical label stays FY2024's, so race figures do not split by format.
 */
export const RACE_COLUMNS_FY2026: ReadonlyArray<readonly [column: string, label: string]> = RACE_COLUMNS.map(([c, l]) =>
  c === 'HispanicLatinaeo' ? (['HispanicLatinao', l] as const) : ([c, l] as const),
);

/**
 * Canonical `gender` from FY2026 Client.Sex (4.21): the same values FY2024's gender gives for the same
 * answers (female, male; the reasons missing as their labels). Sex has no non-binary or other option.
 */
export const SEX_GENDER: Readonly<Record<string, string>> = {
  '0': 'female',
  '1': 'male',
  ...REASONS_MISSING,
};
