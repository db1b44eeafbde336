/**
 * Sentences that trip a naive cue reader, each with the tags a careful case worker would record,
 * written by hand (not taken from the scorer's output). A tag is "domain direction/status"; the
 * list is every tag expected for the text, in any order, and nothing else.
 *
 * Groups: negation scope, absence of a needed resource, problems avoided, experiencer (relatives,
 * other people, groups), history, plans and hypotheticals, structured text (lists, headings,
 * codes, templates), cue collisions, change and gain, one clause for many domains.
 */
export interface TrickyCase {
  group: string;
  text: string;
  expect: string[];
  /** why a careful reader tags it this way */
  why?: string;
}

export const TRICKY_SENTENCES: TrickyCase[] = [
  // --- negation scope
  { group: 'negation', text: 'Denies any substance use.', expect: ['substance_use concern/negated'] },
  { group: 'negation', text: 'Client denies drinking but is still using meth daily.', expect: ['substance_use concern/negated', 'substance_use concern/current'], why: '"but" ends the denial' },
  { group: 'negation', text: 'She reports no suicidal thoughts, however she has panic attacks most nights.', expect: ['mental_health concern/negated', 'mental_health concern/current'] },
  { group: 'negation', text: 'No concerns about housing at this time.', expect: ['housing concern/negated'] },
  { group: 'negation', text: 'Reports no significant concerns with mental health or substance use.', expect: ['mental_health concern/negated', 'substance_use concern/negated'], why: 'the denied concerns reach both topics' },
  { group: 'negation', text: 'He is not at risk of losing his apartment.', expect: ['housing concern/negated'] },
  { group: 'negation', text: 'Transportation is not a barrier for her.', expect: ['transport concern/negated'] },
  { group: 'negation', text: 'She denies any problems at work.', expect: ['employment concern/negated'] },
  { group: 'negation', text: 'Denies drug use, which her probation officer confirmed.', expect: ['substance_use concern/negated'], why: '"which" ends the denial; probation officer is not a legal problem here' },
  { group: 'negation', text: 'Has not slept in 3 days and appears manic.', expect: ['mental_health concern/current'], why: 'not sleeping is a symptom; "slept in" is not sleeping in a car' },
  { group: 'negation', text: 'He is not sleeping and feels hopeless.', expect: ['mental_health concern/current'] },
  // a denial does not reach into a new clause (found in review: common clinical phrasing)
  { group: 'negation', text: 'Denies SI/HI, states she is behind on rent and has no food.', expect: ['mental_health concern/negated', 'housing concern/current', 'food concern/current'], why: 'a comma and a new verb start a clause the denial does not reach' },
  { group: 'negation', text: 'Client denies drug use and reports drinking a fifth of vodka daily.', expect: ['substance_use concern/negated', 'substance_use concern/current'], why: '"and reports" opens a new clause' },
  { group: 'negation', text: 'Client denies drug, alcohol or tobacco use.', expect: ['substance_use concern/negated'], why: 'a list stays under the denial' },
  { group: 'history', text: 'Client has had no income since she lost her job last year.', expect: ['income concern/current', 'employment concern/historical'], why: '"last year" dates the job loss (a past problem), not the missing income' },
  { group: 'negation', text: 'No change in her depression since last month.', expect: ['mental_health concern/current'], why: '"no change" does not negate' },
  { group: 'negation', text: 'She does not have any debt.', expect: ['income concern/negated'] },
  { group: 'negation', text: 'She has not had to stay in a shelter this year.', expect: ['housing concern/negated'] },
  { group: 'negation', text: 'No history of eviction.', expect: ['housing concern/negated'] },
  { group: 'negation', text: 'Denies SI/HI.', expect: ['mental_health concern/negated'] },
  { group: 'negation', text: 'No trouble paying bills this month.', expect: ['income concern/negated'] },

  // --- absence of a needed resource is a current concern
  { group: 'absence', text: 'No current income or food.', expect: ['income concern/current', 'food concern/current'], why: 'a missing resource is a concern, not a denied problem' },
  { group: 'absence', text: 'She does not have reliable transportation.', expect: ['transport concern/current'] },
  { group: 'absence', text: 'Client has no car and no phone.', expect: ['transport concern/current'] },
  { group: 'absence', text: 'He does not have any friends in the area.', expect: ['family_social concern/current'] },
  { group: 'absence', text: 'Without stable housing she cannot keep a job.', expect: ['housing concern/current', 'employment concern/current'] },
  { group: 'absence', text: 'Patient has no family or friends nearby for emotional support.', expect: ['family_social concern/current'] },
  { group: 'absence', text: 'He is not working right now.', expect: ['employment concern/current'] },
  { group: 'absence', text: 'Lack of health insurance makes it hard to see a doctor.', expect: ['health_care concern/current'] },
  { group: 'absence', text: 'She has no one to watch the kids while she works.', expect: ['childcare concern/current'] },

  // --- a problem avoided while doing something is a strength
  { group: 'avoided', text: 'He worked every weekend without missing a shift.', expect: ['employment strength/current'] },
  { group: 'avoided', text: 'She completed her first week at the warehouse without missing a shift.', expect: ['employment improvement/current'] },
  { group: 'avoided', text: 'Completed 90 days of treatment without a relapse.', expect: ['substance_use improvement/current'] },
  { group: 'avoided', text: 'She has not missed any shifts this month.', expect: ['employment concern/negated'], why: 'a reported denial, as written in intake notes' },

  // --- experiencer: relatives, other people, groups
  { group: 'experiencer', text: 'Her son is unemployed.', expect: ['parenting concern/current'], why: "the son's job is not the client's employment; a child's difficulty is parenting evidence" },
  { group: 'experiencer', text: 'Her son was arrested last night.', expect: ['parenting deterioration/current'] },
  { group: 'experiencer', text: 'Her husband lost his job last month.', expect: ['family_social deterioration/current'], why: 'a family stressor, not the client losing work' },
  { group: 'experiencer', text: 'His mother has been drinking heavily again.', expect: ['family_social concern/current'] },
  { group: 'experiencer', text: 'Her neighbour was evicted last month.', expect: [] },
  { group: 'experiencer', text: "Client's roommate just bought a car.", expect: [] },
  { group: 'experiencer', text: 'She was threatened by a neighbour.', expect: ['safety deterioration/current'] },
  { group: 'experiencer', text: 'Her sister watches the kids while she works.', expect: ['childcare strength/current'] },
  { group: 'experiencer', text: 'His partner drives him to his appointments.', expect: ['family_social strength/current', 'transport strength/current'], why: 'support from the partner, and a way to get there' },
  { group: 'experiencer', text: 'Some patients report feeling unsafe at bus stops at night.', expect: [], why: 'a remark about other patients' },
  { group: 'experiencer', text: 'Many individuals experiencing homelessness struggle to reach the clinic.', expect: [] },
  { group: 'experiencer', text: 'She volunteers at a program for homeless veterans.', expect: ['family_social strength/current'], why: 'the homeless are the people served' },
  { group: 'experiencer', text: 'Her daughter is failing two classes at school.', expect: ['parenting concern/current'], why: "children's schooling is under parenting" },
  { group: 'experiencer', text: 'She has a son who is unemployed.', expect: ['parenting concern/current'] },
  { group: 'experiencer', text: 'Her husband is very supportive.', expect: ['family_social strength/current'] },
  { group: 'experiencer', text: 'Husband expressed concern about her worsening cough.', expect: ['family_social strength/current'], why: 'a spouse worried about the client is involved, not a relationship problem' },
  { group: 'experiencer', text: 'Her friend was recently diagnosed with depression.', expect: [] },
  { group: 'experiencer', text: 'Her landlord raised the rent again and she cannot afford it.', expect: ['housing concern/current'] },

  // --- history
  { group: 'history', text: 'Client was evicted in 2019.', expect: ['housing concern/historical'] },
  { group: 'history', text: 'She used to be homeless.', expect: ['housing concern/historical'] },
  { group: 'history', text: 'She is no longer homeless.', expect: ['housing concern/historical'] },
  { group: 'history', text: 'History of alcohol use, sober since 2020.', expect: ['substance_use concern/historical', 'substance_use strength/current'], why: '"sober since 2020" is still true' },
  { group: 'history', text: 'Previously homeless, now housed in a studio apartment.', expect: ['housing concern/historical', 'housing strength/current'], why: '"now" brings the second part back to the present' },
  { group: 'history', text: 'He had a DUI back in 2014.', expect: ['legal concern/historical'] },
  { group: 'history', text: 'Before 2022 she always had reliable childcare.', expect: ['childcare strength/historical'] },

  // --- plans, goals, conditions and referrals
  { group: 'hypothetical', text: 'Goal is to find stable housing.', expect: [] },
  { group: 'hypothetical', text: 'Client plans to apply for SNAP next month.', expect: [] },
  { group: 'hypothetical', text: 'If she loses her job she will apply for unemployment.', expect: [] },
  { group: 'hypothetical', text: 'Referred to addiction counseling and the housing coordinator.', expect: [] },
  { group: 'hypothetical', text: 'We discussed relapse prevention strategies.', expect: [] },
  { group: 'hypothetical', text: 'She would like to go back to school.', expect: [] },
  { group: 'hypothetical', text: 'Plan: continue weekly check-ins about rent.', expect: [] },
  { group: 'hypothetical', text: 'Housing was not discussed today.', expect: [] },
  { group: 'hypothetical', text: 'Flyer for GED classes posted in the lobby.', expect: [] },

  // --- structured text: lists, headings, codes, templates
  {
    group: 'structure',
    text: 'Patient has a history of part-time employment (finding), acute bronchitis (disorder), reports of violence in the environment (finding), stress (finding), social isolation (finding).',
    expect: [],
    why: 'a list of coded conditions, not narrative',
  },
  { group: 'structure', text: 'Hunger (finding), Stress (finding), Full-time employment (finding), Unemployed (finding)', expect: [] },
  { group: 'structure', text: 'Patient is presenting with social isolation (finding).', expect: [] },
  { group: 'structure', text: '# Chief Complaint\n- Hunger\n- Fatigue\n\n# History of Present Illness\nPatient reports fatigue for two weeks.', expect: [], why: 'hunger as a symptom under Chief Complaint' },
  {
    group: 'structure',
    text: '## Plan\nThe following procedures were conducted:\n- depression screening (procedure)\n- screening for domestic abuse (procedure)\n- assessment of substance use (procedure)',
    expect: [],
  },
  { group: 'structure', text: 'Medications:\nsertraline 50 mg oral tablet; naltrexone 50 mg oral tablet', expect: [] },
  { group: 'structure', text: 'Depression screening completed today.', expect: [], why: 'a test was done; nothing is said of its result' },
  { group: 'structure', text: 'Assessment of substance use was done at intake.', expect: [] },
  { group: 'structure', text: 'Allergies:\nNo Known Allergies.\n\nSocial History:\nPatient currently has NO INSURANCE.', expect: ['health_care concern/current'] },
  { group: 'structure', text: 'Assessment: client was evicted last week and is sleeping in her car.', expect: ['housing deterioration/current'], why: 'a heading label before narrative does not hide it' },
  { group: 'structure', text: 'Problem list:\n- homelessness\n- depression\n- alcohol use disorder', expect: [] },
  { group: 'structure', text: '[x] Housing [ ] Food [ ] Transportation [x] Employment', expect: [] },
  { group: 'structure', text: 'Barriers:\n- no car\n- behind on rent', expect: ['transport concern/current', 'housing concern/current'], why: 'a narrative list of barriers is evidence' },
  { group: 'structure', text: 'Patient did not finish high school.', expect: ['education concern/current'] },
  { group: 'structure', text: 'Patient has completed some college courses.', expect: ['education strength/current'], why: 'a background fact, not an improvement' },

  // --- cue collisions
  { group: 'collision', text: 'Addiction counselor involved.', expect: ['substance_use strength/current'], why: 'an addiction counselor is substance-use support, not mental health' },
  { group: 'collision', text: 'Client found shelter in the emergency department after an overdose.', expect: ['housing concern/current', 'substance_use concern/current'], why: 'finding shelter is still homelessness' },
  { group: 'collision', text: 'Part-time work continuing.', expect: ['employment strength/current'], why: 'part-time work is work, not unemployment' },
  { group: 'collision', text: 'He started volunteering at the animal shelter.', expect: ['family_social improvement/current'], why: 'an animal shelter is not housing' },
  { group: 'collision', text: 'She was promoted to shift lead.', expect: ['employment improvement/current'] },
  { group: 'collision', text: 'Patient reports increased hunger and thirst since starting the new medication.', expect: [], why: 'hunger as a symptom is not food insecurity' },
  { group: 'collision', text: 'The family went to bed hungry twice this week.', expect: ['food concern/current'] },
  { group: 'collision', text: 'Uses coping skills when she feels stressed.', expect: ['mental_health strength/current'] },
  { group: 'collision', text: 'Emergency contact is her sister.', expect: [] },
  { group: 'collision', text: 'Her daughter started at the after-school program this week.', expect: ['childcare improvement/current'] },
  { group: 'collision', text: 'He takes his medications as needed.', expect: [], why: '"as needed" is not a need' },
  { group: 'collision', text: 'She works out at the gym three times a week.', expect: [], why: 'working out is not work' },

  // --- change and gain
  { group: 'change', text: 'Her mood has improved since starting therapy.', expect: ['mental_health improvement/current'] },
  { group: 'change', text: 'He relapsed again and his drinking has gotten worse.', expect: ['substance_use deterioration/current'] },
  { group: 'change', text: 'She has had fewer panic attacks this month.', expect: ['mental_health improvement/current'] },
  { group: 'change', text: 'Her childcare subsidy was approved.', expect: ['childcare improvement/current'] },
  { group: 'change', text: 'She found an apartment and signed the lease on Friday.', expect: ['housing improvement/current'] },
  { group: 'change', text: 'He enrolled at the food bank this week.', expect: ['food concern/current'], why: 'gaining a crisis resource is still a concern' },
  { group: 'change', text: 'He lost his bus pass.', expect: ['transport deterioration/current'] },
  { group: 'change', text: 'Her daycare closed last week.', expect: ['childcare deterioration/current'] },

  // --- one clause speaks for one or two domains
  { group: 'domains', text: 'Job loss, housing risk, depression worsening.', expect: ['employment deterioration/current', 'housing concern/current', 'mental_health deterioration/current'], why: 'three parts, one domain each' },
  { group: 'domains', text: 'Client reports work challenges - childcare issues affecting schedule.', expect: ['employment concern/current', 'childcare concern/current'] },
  { group: 'domains', text: 'Employment at part-time position continues but income insufficient for expenses.', expect: ['employment strength/current', 'income concern/current'] },
  { group: 'domains', text: 'She is a single mother of two children, ages 4 and 7.', expect: ['parenting concern/current'], why: 'the care of young children, a load the plan must allow for' },
  { group: 'domains', text: 'The patient is married and has three kids.', expect: ['family_social strength/current', 'parenting concern/current'] },
  { group: 'domains', text: 'Patient is an accountant for a large firm in town.', expect: ['employment strength/current'] },
  { group: 'domains', text: 'He is retired and lives on his pension.', expect: ['employment strength/current'] },
  { group: 'domains', text: 'Pt lives alone and has no one to call in an emergency.', expect: ['family_social concern/current'] },
  { group: 'domains', text: 'She and her husband came to the appointment together.', expect: ['family_social strength/current'] },
  { group: 'domains', text: 'The patient is recently divorced and struggling emotionally.', expect: ['family_social concern/current', 'mental_health concern/current'] },
  { group: 'domains', text: 'Pt shared that they are expecting their second child this winter.', expect: ['parenting concern/current'] },
];
