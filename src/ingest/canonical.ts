/**
 * The canonical tables a pipeline can feed, described as input fields. A pipeline maps its
 * source columns onto these fields; the validator types and checks them; the merge writes
 * the target columns. Field names ending in `_key` are source keys: `*_key` of the table's
 * own entity becomes its namespaced id (`system:key`), others are references resolved to ids.
 */
export type FieldType = 'text' | 'integer' | 'number' | 'date' | 'timestamp' | 'boolean' | 'json';
export type RefKind = 'client' | 'case' | 'staff' | 'program';

export interface FieldSpec {
  type: FieldType;
  /** target column; defaults to the field name */
  column?: string;
  required?: boolean;
  allowed?: readonly string[];
  ref?: RefKind;
  /** keep the value exactly as written (no trimming): note text, where citation offsets depend on it */
  verbatim?: boolean;
  description: string;
}

export interface TableSpec {
  table: TargetTable;
  /** the input field that identifies a row of this table */
  key: string;
  /** the target primary-key column */
  idColumn: string;
  /** load order: referenced tables first */
  order: number;
  fields: Record<string, FieldSpec>;
  description: string;
}

export const TARGET_TABLES = ['programs', 'staff', 'clients', 'cases', 'goals', 'services', 'followups', 'assessments', 'surveys', 'notes'] as const;
export type TargetTable = (typeof TARGET_TABLES)[number];

const text = (description: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'text', description, ...extra });
const date = (description: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: 'date', description, ...extra });

export const CANONICAL: Record<TargetTable, TableSpec> = {
  programs: {
    table: 'programs', key: 'program_key', idColumn: 'program_id', order: 0,
    description: 'Programmes (projects) that cases belong to.',
    fields: {
      program_key: text('source key of the programme', { required: true, column: 'program_id' }),
      name: text('programme name', { required: true }),
      program_type: text('kind of programme, e.g. housing, workforce'),
    },
  },
  staff: {
    table: 'staff', key: 'staff_key', idColumn: 'staff_id', order: 1,
    description: 'Case managers, supervisors and other workers.',
    fields: {
      staff_key: text('source key of the staff member', { required: true, column: 'staff_id' }),
      name: text('display name', { required: true }),
      role: text('manager, supervisor, worker, admin, …'),
      supervisor_key: text('staff key of their supervisor', { ref: 'staff', column: 'supervisor_id' }),
      team: text('team name'),
      program_key: text('programme the person mainly works in', { ref: 'program', column: 'program_id' }),
      caseload_capacity: { type: 'integer', description: 'number of open cases the person is expected to carry' },
    },
  },
  clients: {
    table: 'clients', key: 'client_key', idColumn: 'client_id', order: 2,
    description: 'People served. Personal fields go to client_pii; client_id is minted by the identity rules.',
    fields: {
      client_key: text('source key of the person (never shown; mapped to a persistent client_id)', { required: true }),
      first_name: text('given name (personal data)'),
      last_name: text('family name (personal data)'),
      dob: date('date of birth (personal data)'),
      phone: text('phone number (personal data)'),
      email: text('email address (personal data)'),
      address: text('street address (personal data)'),
      national_id: text('national identifier such as an SSN (personal data)'),
      gender: text('gender'),
      race_ethnicity: text('race / ethnicity'),
      veteran: text('veteran status'),
    },
  },
  cases: {
    table: 'cases', key: 'case_key', idColumn: 'case_id', order: 3,
    description: 'Episodes of service: a client can have many.',
    fields: {
      case_key: text('source key of the case / enrolment', { required: true, column: 'case_id' }),
      client_key: text('source key of the client', { required: true, ref: 'client', column: 'client_id' }),
      program_key: text('programme key', { ref: 'program', column: 'program_id' }),
      manager_key: text('staff key of the case manager', { ref: 'staff', column: 'manager_id' }),
      case_type: text('case type'),
      opened_at: date('date the case opened', { required: true }),
      closed_at: date('date the case closed (empty while open)'),
      status: text('open or closed (derived from closed_at when not mapped)', { allowed: ['open', 'closed'] }),
      closure_reason: text('why the case closed'),
      household_id: text('household the case belongs to: cases of people who enrolled together share it'),
      relationship_to_hoh: text('relationship to the head of household, e.g. "Self (head of household)", "Child"'),
    },
  },
  goals: {
    table: 'goals', key: 'goal_key', idColumn: 'goal_id', order: 4,
    description: 'Goals set within a case, by outcome-framework domain.',
    fields: {
      goal_key: text('source key of the goal', { required: true, column: 'goal_id' }),
      case_key: text('case key', { required: true, ref: 'case', column: 'case_id' }),
      domain_id: text('framework domain id, e.g. housing'),
      description: text('goal text'),
      set_at: date('date the goal was set'),
      target_at: date('target date'),
      status: text('goal status', { required: true, allowed: ['active', 'achieved', 'not_achieved', 'withdrawn'] }),
      achieved_at: date('date achieved'),
    },
  },
  services: {
    table: 'services', key: 'service_key', idColumn: 'service_id', order: 5,
    description: 'Planned and delivered services (contacts, sessions).',
    fields: {
      service_key: text('source key of the service', { required: true, column: 'service_id' }),
      case_key: text('case key', { required: true, ref: 'case', column: 'case_id' }),
      service_type: text('kind of service'),
      staff_key: text('staff key of who delivered it', { ref: 'staff', column: 'staff_id' }),
      scheduled_at: { type: 'timestamp', description: 'when it was planned' },
      delivered_at: { type: 'timestamp', description: 'when it was delivered' },
      status: text('scheduled, delivered, no_show or cancelled (derived from delivered_at when not mapped)', { allowed: ['scheduled', 'delivered', 'no_show', 'cancelled'] }),
      units_planned: { type: 'number', description: 'units (sessions, hours) planned' },
      units_delivered: { type: 'number', description: 'units delivered' },
    },
  },
  followups: {
    table: 'followups', key: 'followup_key', idColumn: 'followup_id', order: 6,
    description: 'Follow-up contacts that are due on a date.',
    fields: {
      followup_key: text('source key of the follow-up', { required: true, column: 'followup_id' }),
      case_key: text('case key', { required: true, ref: 'case', column: 'case_id' }),
      followup_type: text('kind of follow-up, e.g. 30_day'),
      due_at: date('date it is due', { required: true }),
      completed_at: date('date it was done'),
    },
  },
  assessments: {
    table: 'assessments', key: 'assessment_key', idColumn: 'assessment_id', order: 7,
    description: 'Instrument scores (PHQ-9, GAD-7, domain ratings, income, …) at timepoints.',
    fields: {
      assessment_key: text('source key of the assessment', { required: true, column: 'assessment_id' }),
      client_key: text('client key (may be omitted when case_key is given)', { ref: 'client', column: 'client_id' }),
      case_key: text('case key', { ref: 'case', column: 'case_id' }),
      instrument_id: text('instrument id, e.g. phq9', { required: true }),
      domain_id: text('framework domain id for domain ratings'),
      administered_at: date('date administered', { required: true }),
      timepoint: text('baseline, interim, exit or followup', { allowed: ['baseline', 'interim', 'exit', 'followup'] }),
      total_score: { type: 'number', description: 'total score' },
      items: { type: 'json', description: 'item scores as JSON' },
    },
  },
  surveys: {
    table: 'surveys', key: 'survey_key', idColumn: 'survey_id', order: 8,
    description: 'Client satisfaction survey responses.',
    fields: {
      survey_key: text('source key of the response', { required: true, column: 'survey_id' }),
      case_key: text('case key', { required: true, ref: 'case', column: 'case_id' }),
      responded_at: date('date of the response'),
      satisfaction: { type: 'number', description: 'satisfaction score' },
      would_recommend: { type: 'boolean', description: 'would recommend the service' },
      comment: text('free-text comment'),
    },
  },
  notes: {
    table: 'notes', key: 'note_key', idColumn: 'note_id', order: 9,
    description: 'Narrative case notes. Text is stored exactly as written.',
    fields: {
      note_key: text('source key of the note', { required: true, column: 'note_id' }),
      case_key: text('case key', { required: true, ref: 'case', column: 'case_id' }),
      author_key: text('staff key of the author', { ref: 'staff', column: 'author_id' }),
      written_at: { type: 'timestamp', required: true, description: 'when the note was written' },
      note_type: text('progress, contact, admin, …'),
      text: text('the note', { required: true, verbatim: true }),
    },
  },
};

export function columnOf(field: string, spec: FieldSpec): string {
  return spec.column ?? field;
}
