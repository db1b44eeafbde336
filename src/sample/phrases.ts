/**
 * Phrase bank for synthetic case notes.
 *
 * Template syntax
 *   {S} / {s}   the client as subject (first mention: "Client", "cl", "pt", first name…; later: she/he)
 *   {P} / {p}   the client's possessive ("Client's", "her", "Zoë's")
 *   {O}         the client as object ("client", "him", "José")
 *   {name}      the client's first name; {phone}, {email} the client's contact details
 *   {year} a past year; {month}; {weekday}; {num} a small count (2–6); {hours}; {amount} ($);
 *   {employer}; {job}; {street}; {city}; {clinic}; {school}; {kid} the client's child; {relative}; {drug}
 *   [ … ]       the evidence span. Without brackets the whole sentence is the evidence.
 * Templates carry no final full stop; the note assembler adds punctuation.
 *
 * What counts as evidence (the rule the truth file follows)
 *   A statement about THIS client's own situation, behaviour or history in a domain is evidence,
 *   including negated statements ("Denies any substance use" = substance_use / concern / negated)
 *   and past events ("was evicted in 2019" = housing / concern / historical).
 *   NOT evidence (no truth row): agency process and general information ("Discussed the housing
 *   waitlist process in general terms"), things about other people (a neighbour's eviction),
 *   topics explicitly not covered ("Housing was not discussed today"), scheduling/admin, fillers,
 *   and procedural assessment mentions ("Completed the PHQ-9") that state no result.
 *
 * Cells: every domain has current × {strength, concern, improvement, deterioration},
 * historical × {concern, strength} and negated × {concern}; at least 6 templates each.
 */

export const DOMAINS = [
  'housing', 'income', 'employment', 'food', 'childcare', 'education', 'legal', 'health_care',
  'life_skills', 'mental_health', 'substance_use', 'family_social', 'transport', 'safety', 'parenting',
] as const;
export type DomainId = (typeof DOMAINS)[number];

export type Direction = 'strength' | 'concern' | 'improvement' | 'deterioration';
export type EvidenceStatus = 'current' | 'historical' | 'negated';

export interface DomainPhrases {
  current: Record<Direction, readonly string[]>;
  historical: { concern: readonly string[]; strength: readonly string[] };
  negated: { concern: readonly string[] };
  /** Mentions the domain but is not evidence about the client. */
  distractors: readonly string[];
  /** Short goal descriptions for goals.csv. */
  goals: readonly string[];
}

export const BANK: Record<DomainId, DomainPhrases> = {
  housing: {
    current: {
      strength: [
        "{S} has lived in the same apartment on {street} for over {num} years",
        "{S} is current on rent and gets along with {p} landlord",
        "{S} says the apartment feels safe and affordable",
        "{S} keeps the unit clean and passed the annual inspection",
        "{S} has a signed lease and a housing voucher in place",
        "{S} pays {p} share of the rent on time every month",
        "Rent is paid through {month} — [{s} is fully caught up with the landlord]",
      ],
      concern: [
        "{S} is currently staying on a friend's couch",
        "{S} slept in {p} car {num} nights this week",
        "{S} received an eviction notice for unpaid rent of {amount}",
        "{S} is {num} months behind on rent",
        "[The landlord has refused to renew {p} lease] and it ends in {month}",
        "{S} is staying at the downtown shelter while waiting for a unit",
        "The apartment has no working heat and {s} is worried about the winter",
        "{S} reports mould in the bathroom that the landlord won't fix",
      ],
      improvement: [
        "{S} signed a lease on a one-bedroom apartment on {street}",
        "{S} moved out of the shelter and into {p} own place this week",
        "{S} was approved for a housing voucher",
        "{S} paid off the back rent and the eviction case was dismissed",
        "{S} got the keys to {p} new apartment on {weekday}",
        "{S} set up a payment plan with the landlord and is catching up on rent",
        "Good news: [{s} was accepted into the permanent supportive housing programme]",
      ],
      deterioration: [
        "{S} was asked to leave {p} {relative}'s place and is sleeping in {p} car again",
        "{S} lost {p} apartment after the landlord sold the building",
        "{S} received a second late notice for rent this month",
        "{S} missed rent for {month} and the landlord has filed for eviction",
        "{S} had to move back into the shelter after the roommate situation fell apart",
        "{P} rent arrears have grown to {amount} since our last meeting",
        "{P} housing voucher application was denied",
      ],
    },
    historical: {
      concern: [
        "{S} was evicted in {year}",
        "{S} was homeless for about {num} years before {year}",
        "{S} lived in {p} car for several months back in {year}",
        "{S} has a history of evictions, the last one in {year}",
        "{S} spent time in shelters as a teenager",
        "Back in {year} [{s} lost {p} apartment after a fire]",
      ],
      strength: [
        "{S} rented the same house for {num} years before {year} without missing a payment",
        "{S} owned a home in {city} until {year}",
        "{S} kept the same apartment for years before {p} divorce",
        "{S} used to manage rental properties for a relative",
        "Before {year} [{s} had a stable lease and good landlord references]",
        "{S} lived independently for most of {p} twenties",
      ],
    },
    negated: {
      concern: [
        "{S} denies any current risk of eviction",
        "No concerns about housing at this time",
        "{S} is not at risk of losing {p} apartment",
        "{S} reports no problems with {p} landlord",
        "{S} denies any housing instability",
        "{S} has not had to stay in a shelter this year",
      ],
    },
    distractors: [
      "Discussed the housing waitlist process in general terms",
      "The housing authority office is closed on {weekday}",
      "Team meeting reviewed the new rapid rehousing referral form",
      "{P} neighbour was evicted last month",
      "Housing was not discussed today due to time",
    ],
    goals: ["Secure stable housing", "Sign a lease", "Pay rent on time for three months", "Obtain a housing voucher", "Move out of the shelter"],
  },

  income: {
    current: {
      strength: [
        "{S} receives {amount} a month in SSI and budgets it well",
        "{S} has a steady income and some savings set aside",
        "{S} has been able to cover all of {p} bills this month",
        "{P} SNAP and SSDI benefits are active and up to date",
        "{S} has about {amount} in savings for emergencies",
        "{S} deposits money in a savings account every payday",
      ],
      concern: [
        "{S} has no income at the moment",
        "{S} can't afford {p} electric bill this month",
        "{S} owes {amount} on an old payday loan",
        "{P} benefits were cut off after a missed recertification",
        "{S} is borrowing money from friends to get by",
        "{P} utilities are past due and a shut-off notice arrived on {weekday}",
        "{S} has {amount} in medical debt in collections",
      ],
      improvement: [
        "{S} was approved for SNAP benefits",
        "{P} SSI application was approved with back pay",
        "{S} paid off the payday loan",
        "{S} got {p} first paycheck and paid the phone bill",
        "{S} was able to put {amount} into savings this month",
        "The utility company agreed to a payment plan and {p} shut-off was cancelled",
        "{P} unemployment benefits were reinstated",
      ],
      deterioration: [
        "{P} SNAP benefits were stopped this month",
        "{S} lost {p} disability benefits after the review",
        "{S} had to take out another payday loan",
        "{P} hours were cut and {s} can no longer cover {p} bills",
        "{S} spent {p} savings on car repairs and is now out of money",
        "{P} electricity was shut off on {weekday} for non-payment",
      ],
    },
    historical: {
      concern: [
        "{S} filed for bankruptcy in {year}",
        "{S} had {p} wages garnished back in {year}",
        "{S} has a history of debt problems going back to {year}",
        "{S} went without any income for most of {year}",
        "{S} lost {p} benefits in {year} after missing paperwork",
        "Years ago [{s} ran up large credit card debts]",
      ],
      strength: [
        "{S} supported {p} family on {p} own income for many years",
        "{S} had a good credit score until {year}",
        "{S} always paid {p} bills on time before the layoff",
        "{S} saved enough in {year} to buy a car outright",
        "{S} handled the household budget for years without problems",
        "Until {year} [{s} had steady savings]",
      ],
    },
    negated: {
      concern: [
        "{S} denies any current debt",
        "No concerns about income at this time",
        "{S} reports no trouble paying bills this month",
        "{S} is not behind on any utility payments",
        "{S} denies needing financial assistance right now",
        "Money is not an issue for {O} at present",
      ],
    },
    distractors: [
      "Explained how the benefits office processes renewals in general",
      "Agency is updating its financial assistance policy next quarter",
      "Benefits office will be closed for the holiday, so forms go out {weekday}",
      "{P} roommate is looking for a second job",
      "Income was not discussed today",
    ],
    goals: ["Increase monthly income", "Apply for SNAP benefits", "Apply for SSI", "Pay down payday loan", "Build emergency savings"],
  },

  employment: {
    current: {
      strength: [
        "{S} works full time as a {job} at {employer}",
        "{S} has been at {employer} for over a year and likes the work",
        "{P} supervisor at {employer} gave {O} a good review",
        "{S} has steady hours as a {job}",
        "{S} is reliable at work and has not missed a shift",
        "{S} has an up-to-date résumé and strong references",
      ],
      concern: [
        "{S} is unemployed and has been looking for work for {num} months",
        "{S} has no work history in the last five years",
        "{S} was written up at work twice this month for lateness",
        "{S} is working only {hours} hours a week and needs more",
        "{S} has been turned down at every interview so far",
        "{S} does not have a résumé or any work clothes",
      ],
      improvement: [
        "{S} started a new job as a {job} at {employer}",
        "{S} got an interview at {employer} for {weekday}",
        "{S} was offered a full-time position as a {job}",
        "{S} got a raise at work",
        "{S} completed {p} first week at {employer} without missing a shift",
        "{S} was promoted to shift lead",
        "{S} said “[I finally got the job]” — {s} starts on {weekday}",
      ],
      deterioration: [
        "{S} lost {p} job at the warehouse last week",
        "{S} was let go from {employer}",
        "{S} quit {p} job as a {job} after an argument with the manager",
        "{P} hours at {employer} were cut to {hours} a week",
        "{S} was suspended from work for {num} days",
        "{S} has stopped going to job interviews",
      ],
    },
    historical: {
      concern: [
        "{S} was fired from a job in {year}",
        "{S} has been out of work since {year}",
        "{S} had a long gap in employment after {year}",
        "{S} lost {p} job in {year} when the factory closed",
        "{S} struggled to keep jobs in {p} twenties",
        "Back in {year} [{s} was let go for attendance problems]",
      ],
      strength: [
        "{S} worked as a {job} for {num} years before {year}",
        "{S} held the same job for almost a decade before the layoff",
        "{S} used to supervise a crew of six at a construction firm",
        "{S} has a solid work history in retail",
        "{S} was employee of the month at {employer} back in {year}",
        "{S} previously worked as a {job} and enjoyed it",
      ],
    },
    negated: {
      concern: [
        "{S} is not at risk of losing {p} job",
        "No concerns about employment at this time",
        "{S} denies any problems at work",
        "{S} has not missed any shifts this month",
        "{S} reports no issues with {p} supervisor",
        "Work is not a concern for {O} right now",
      ],
    },
    distractors: [
      "Mentioned the job fair at the library next month to the whole group",
      "Agency staff training on employment services is on {weekday}",
      "{P} brother just started working at {employer}",
      "Did not get to employment goals today due to time",
    ],
    goals: ["Obtain full-time employment", "Complete a résumé", "Attend three job interviews", "Keep current job for 90 days", "Earn a forklift certification"],
  },

  food: {
    current: {
      strength: [
        "{S} has plenty of food at home this week",
        "{S} cooks most meals at home and plans a weekly menu",
        "{S} shops with a list and the pantry is well stocked",
        "{S} eats three meals a day",
        "{S} gets groceries every two weeks and makes them last",
        "The kids have enough to eat and {s} is on top of the grocery budget",
      ],
      concern: [
        "{S} ran out of food {num} days before the end of the month",
        "{S} has been skipping meals so the kids can eat",
        "{P} fridge was nearly empty at the home visit",
        "{S} relies on the food bank every week",
        "{S} has not had a proper meal since {weekday}",
        "{S} worries about running out of food before the next paycheck",
      ],
      improvement: [
        "{S} enrolled in WIC and picked up the first benefits",
        "{S} has been using the food pantry and no longer skips meals",
        "{S} learned to cook simple meals on a budget",
        "{S} reports the family has had enough food all month",
        "{S} now gets a weekly produce box",
        "The SNAP increase means {p} family has enough groceries now",
      ],
      deterioration: [
        "{S} has been skipping meals again",
        "{S} ran out of groceries earlier than usual this month",
        "{S} says there was no food in the house over the weekend",
        "{S} missed the pantry pickup and the cupboards are empty",
        "{S} has lost weight because {s} is not eating regularly",
        "{P} family went to bed hungry twice this week",
      ],
    },
    historical: {
      concern: [
        "{S} went hungry often as a child",
        "In {year} [{s} relied on soup kitchens for most meals]",
        "{S} had periods of food insecurity back in {year}",
        "{S} used food banks regularly before {year}",
        "{S} skipped meals for months after losing {p} job in {year}",
        "Growing up, [{s} often didn't have enough to eat]",
      ],
      strength: [
        "{S} used to cook for a large family and knows how to stretch a budget",
        "{S} worked in a kitchen for years and is a confident cook",
        "{S} kept a vegetable garden for years before {year}",
        "{S} always managed to keep food on the table before the layoff",
        "{S} did all of {p} household's grocery shopping for years",
        "{S} completed a nutrition course in {year}",
      ],
    },
    negated: {
      concern: [
        "No concerns about food at this time",
        "{S} denies food insecurity",
        "{S} reports the family is not going hungry",
        "{S} has not needed the food bank this month",
        "{S} denies skipping meals",
        "Food is not an issue for {p} household right now",
      ],
    },
    distractors: [
      "Food bank hours changed to 10–2 on Saturdays",
      "Dropped off donated canned goods at the front desk for the pantry",
      "Staff potluck is on {weekday}",
      "Food was not discussed today",
    ],
    goals: ["Reduce skipped meals", "Enrol in WIC", "Learn to cook on a budget", "Register with the local food pantry"],
  },

  childcare: {
    current: {
      strength: [
        "{S} has reliable childcare with a licensed provider",
        "{P} {relative} watches the kids while {s} works",
        "{kid} is enrolled in full-day pre-K",
        "{S} has a backup childcare plan in place",
        "{S} has a childcare subsidy that covers most of the cost",
        "Daycare is set up and {s} is happy with the provider",
      ],
      concern: [
        "{S} has no childcare and had to turn down a job offer",
        "{S} can't afford daycare for {kid}",
        "{S} misses appointments because there is no one to watch the kids",
        "{P} childcare provider closed and {s} has no backup",
        "{S} is on the waitlist for subsidised childcare",
        "{S} leaves the children with a neighbour {s} doesn't fully trust",
      ],
      improvement: [
        "{S} found a daycare spot for {kid}",
        "{P} childcare subsidy was approved",
        "{kid} started at the after-school programme this week",
        "{S} arranged for {p} {relative} to watch the kids on work days",
        "{S} came off the childcare waitlist and {kid} starts on {weekday}",
        "{S} now has reliable childcare three days a week",
      ],
      deterioration: [
        "{P} childcare subsidy ran out this month",
        "The daycare dismissed {kid} for unpaid fees",
        "{P} babysitter moved away and {s} has no childcare again",
        "{S} missed {num} shifts this month because childcare fell through",
        "{S} can no longer afford the after-school programme",
        "{P} {relative} can no longer watch the kids",
      ],
    },
    historical: {
      concern: [
        "{S} lost a job in {year} because of childcare problems",
        "Back in {year} [{s} had no childcare for months]",
        "{S} left school in {year} when {s} couldn't find childcare",
        "{S} had to leave the kids with relatives in {year} for lack of care",
        "{S} was on a childcare waitlist for over a year in {year}",
        "Childcare was a constant struggle for {O} when {p} oldest was young",
      ],
      strength: [
        "{S} used to run a home daycare",
        "{S} managed childcare for three kids on {p} own for years",
        "{S} had a solid childcare arrangement with {p} {relative} until {year}",
        "{S} worked as a nanny for {num} years",
        "{S} previously coordinated a childcare co-op with neighbours",
        "Before {year} [{s} always had reliable childcare]",
      ],
    },
    negated: {
      concern: [
        "{S} denies any childcare problems",
        "No concerns about childcare at this time",
        "{S} is not having trouble finding childcare",
        "{S} reports no gaps in childcare this month",
        "Childcare is not a barrier for {O} right now",
        "{S} has not missed work because of childcare",
      ],
    },
    distractors: [
      "The daycare provider list was updated this month",
      "Reviewed the childcare subsidy rules with the team",
      "{P} coworker is looking for a babysitter",
      "Childcare was not discussed today",
    ],
    goals: ["Secure reliable childcare", "Apply for a childcare subsidy", "Enrol child in after-school programme"],
  },

  education: {
    current: {
      strength: [
        "{S} has a high school diploma and some college credits",
        "{S} is doing well in {p} classes at {school}",
        "{S} has an associate degree in business",
        "{S} attends class regularly and keeps up with homework",
        "{S} reads well and enjoys studying",
        "{S} is on the honour roll at {school}",
      ],
      concern: [
        "{S} did not finish high school",
        "{S} is failing two classes at {school}",
        "{S} has been skipping school most days",
        "{S} struggles to read forms and needs help with paperwork",
        "{S} was suspended from {school} for {num} days",
        "{S} has no diploma or GED",
      ],
      improvement: [
        "{S} passed the first two GED tests",
        "{S} enrolled at {school} for the {month} term",
        "{S} earned {p} GED",
        "{S} finished the certificate course at {school}",
        "{P} grades have gone up since starting tutoring",
        "{S} has had perfect attendance at school this month",
      ],
      deterioration: [
        "{S} dropped out of {p} course at {school}",
        "{S} failed the GED maths test again",
        "{S} has missed {num} days of school since {weekday}",
        "{P} grades have slipped this term",
        "{S} was expelled from {school}",
        "{S} stopped attending the adult literacy class",
      ],
    },
    historical: {
      concern: [
        "{S} dropped out of high school in {year}",
        "{S} was held back a year in middle school",
        "{S} was expelled from school as a teenager",
        "{S} left college in {year} without finishing",
        "{S} had learning difficulties at school that were never assessed",
        "Back in {year} [{s} was suspended repeatedly]",
      ],
      strength: [
        "{S} graduated from high school in {year}",
        "{S} completed two years of college before {year}",
        "{S} earned a trade certificate in {year}",
        "{S} was a strong student in high school",
        "{S} finished a nursing assistant course back in {year}",
        "{S} got {p} diploma on time despite moving schools",
      ],
    },
    negated: {
      concern: [
        "{S} is not at risk of failing any classes",
        "No concerns about school at this time",
        "{S} denies any problems at school",
        "{S} has not missed any classes this month",
        "{S} reports no trouble keeping up with coursework",
        "School is not a concern for {O} right now",
      ],
    },
    distractors: [
      "Flyer for GED classes posted in the lobby",
      "{P} cousin just graduated from {school}",
      "{school} is closed next week for spring break",
      "Education goals were not discussed today",
    ],
    goals: ["Earn a GED", "Enrol in a certificate course", "Improve school attendance", "Complete adult literacy class"],
  },

  legal: {
    current: {
      strength: [
        "{S} has no open legal matters",
        "{S} has a legal aid lawyer handling {p} custody case",
        "{S} is in full compliance with {p} court conditions",
        "{S} has all {p} identity documents in order",
        "{S} keeps every court date and gets along with {p} probation officer",
        "{P} record is clear and {s} has nothing pending",
      ],
      concern: [
        "{S} has a court date on {weekday} for an unpaid ticket",
        "{S} has an outstanding warrant",
        "{S} is facing a shoplifting charge",
        "{S} owes {amount} in court fines",
        "{S} is on probation until next {month}",
        "{S} has no ID and can't apply for jobs without it",
      ],
      improvement: [
        "{P} charges were dismissed",
        "{S} had {p} record expunged",
        "{S} finished probation early",
        "{S} got {p} driver's licence reinstated after paying the fines",
        "{S} obtained a copy of {p} birth certificate and a state ID",
        "Legal aid got {p} warrant recalled",
      ],
      deterioration: [
        "{S} was arrested on {weekday}",
        "{S} violated probation by missing a check-in",
        "{S} was charged with driving on a suspended licence",
        "{S} missed {p} court date and a warrant was issued",
        "{S} received a new citation this week",
        "{P} court fines went to collections",
      ],
    },
    historical: {
      concern: [
        "{S} had a DUI back in {year}",
        "{S} served {num} years in prison and was released in {year}",
        "{S} was on probation in {year}",
        "{S} has a felony conviction from {year}",
        "{S} was arrested several times as a teenager",
        "{S} spent {num} months in county jail in {year}",
      ],
      strength: [
        "{S} completed a court diversion programme in {year} with no further charges",
        "{S} has never been arrested",
        "{S} finished parole in {year} and has stayed out of trouble since",
        "{S} had {p} juvenile record sealed in {year}",
        "{S} successfully completed probation back in {year}",
        "{S} has had a clean record since {year}",
      ],
    },
    negated: {
      concern: [
        "{S} denies any current legal issues",
        "No concerns about legal matters at this time",
        "{S} has no pending charges",
        "{S} is not on probation or parole",
        "{S} denies any recent police contact",
        "{S} does not have any outstanding fines",
      ],
    },
    distractors: [
      "Legal aid clinic is running a free workshop in {month}",
      "The courthouse was closed for the holiday",
      "{P} neighbour was arrested on {weekday}",
      "Explained how expungement works in general terms",
    ],
    goals: ["Resolve outstanding warrant", "Obtain state ID", "Complete probation requirements", "Pay down court fines"],
  },

  health_care: {
    current: {
      strength: [
        "{S} has a primary care doctor and sees them every three months",
        "{S} has active Medicaid coverage",
        "{P} blood pressure is well controlled on medication",
        "{S} keeps all {p} medical appointments",
        "{S} takes {p} medications as prescribed",
        "{S} is in good physical health",
      ],
      concern: [
        "{S} has no health insurance",
        "{S} has not seen a doctor in {num} years",
        "{S} ran out of {p} blood pressure medication",
        "{S} uses the ER for routine care",
        "{S} has uncontrolled diabetes",
        "{S} has a bad tooth infection and no dentist",
        "{S} is in chronic pain from a back injury",
      ],
      improvement: [
        "{S} was approved for Medicaid",
        "{S} saw a new primary care doctor at {clinic}",
        "{S} got {p} prescriptions refilled",
        "{P} A1C has come down since the last visit",
        "{S} finally had the dental work done",
        "{S} started physical therapy for {p} back",
      ],
      deterioration: [
        "{S} was admitted to the hospital on {weekday}",
        "{S} lost {p} Medicaid coverage",
        "{S} has stopped taking {p} blood pressure medication",
        "{P} blood sugar has been out of control this week",
        "{S} went to the ER twice this month",
        "{S} missed {p} specialist appointment and can't get another until {month}",
      ],
    },
    historical: {
      concern: [
        "{S} had heart surgery in {year}",
        "{S} was hospitalised with pneumonia in {year}",
        "{S} was in a serious car accident in {year}",
        "{S} went without health insurance for years before {year}",
        "{S} was diagnosed with diabetes in {year}",
        "{S} broke {p} leg in {year}",
      ],
      strength: [
        "{S} ran marathons before {year}",
        "{S} had the same family doctor for fifteen years",
        "{S} was always healthy until {year}",
        "{S} used to work out daily and kept fit",
        "{S} had good employer health insurance before {year}",
        "{S} quit smoking in {year}",
      ],
    },
    negated: {
      concern: [
        "{S} denies any medical problems",
        "No concerns about physical health at this time",
        "{S} reports no pain today",
        "{S} does not have any chronic conditions",
        "{S} denies missing any medications",
        "{S} has not needed the ER this year",
      ],
    },
    distractors: [
      "Flu-shot clinic dates are posted in the lobby",
      "{clinic} changed its phone system",
      "{P} aunt is in the hospital",
      "Reviewed the health insurance enrolment calendar in general terms",
    ],
    goals: ["Establish a primary care doctor", "Enrol in Medicaid", "Attend all medical appointments", "Refill prescriptions on time"],
  },

  life_skills: {
    current: {
      strength: [
        "{S} manages {p} own appointments with a paper calendar",
        "{S} keeps a monthly budget and sticks to it",
        "{S} handles {p} own paperwork and mail",
        "{S} cooks, cleans and does laundry independently",
        "{S} is organised and keeps copies of all {p} documents",
        "{S} knows how to use the online benefits portal",
      ],
      concern: [
        "{S} has trouble keeping track of appointments",
        "{S} doesn't know how to budget and runs out of money",
        "{S} needs help filling out forms",
        "Mail is piling up unopened at {p} apartment",
        "{S} has never had a bank account",
        "{S} struggles to manage daily tasks without reminders",
      ],
      improvement: [
        "{S} opened {p} first checking account",
        "{S} made a budget for the first time and followed it all month",
        "{S} started using a calendar app for appointments",
        "{S} completed the budgeting workshop",
        "{S} filled out the renewal form on {p} own",
        "{S} now keeps all {p} documents in a folder",
      ],
      deterioration: [
        "{S} missed {num} appointments this month because {s} forgot",
        "{S} lost {p} documents again",
        "{S} overdrew {p} bank account twice",
        "{S} stopped following the budget",
        "{S} let the renewal paperwork lapse",
        "{S} has fallen behind on basic chores and the apartment is cluttered",
      ],
    },
    historical: {
      concern: [
        "{S} never learned to manage money growing up",
        "{S} had {p} bank account closed in {year} for overdrafts",
        "Until {year} [{s} relied on {p} {relative} for all paperwork]",
        "{S} lived in group homes until {year} and never learned to cook",
        "{S} lost {p} ID documents several times before {year}",
        "{S} had trouble with daily routines after leaving foster care",
      ],
      strength: [
        "{S} ran {p} own household for years before {year}",
        "{S} used to manage the family finances",
        "{S} kept an immaculate home before the move",
        "{S} taught budgeting classes at {p} church in {year}",
        "{S} was very organised in {p} previous job",
        "Before {year} [{s} handled all of {p} own affairs]",
      ],
    },
    negated: {
      concern: [
        "{S} does not need help with daily living tasks",
        "No concerns about budgeting at this time",
        "{S} denies any difficulty managing paperwork",
        "{S} has not missed any appointments this month",
        "{S} reports no trouble keeping track of bills",
        "{S} is not struggling with household tasks",
      ],
    },
    distractors: [
      "Budgeting class schedule handed out to everyone in group",
      "The agency's life skills curriculum is being revised",
      "Life skills goals were not covered today",
    ],
    goals: ["Create and follow a monthly budget", "Open a bank account", "Manage appointments independently", "Complete budgeting workshop"],
  },

  mental_health: {
    current: {
      strength: [
        "{S} is engaged in counselling and finds it helpful",
        "{S} reports {p} mood has been stable",
        "{S} is sleeping well and feels positive",
        "{S} uses coping skills when {s} feels stressed",
        "{S} takes {p} psychiatric medication as prescribed",
        "{S} said “[I feel like myself again]”",
      ],
      concern: [
        "{S} reports feeling down most days",
        "{S} has panic attacks several times a week",
        "{S} is not sleeping and feels hopeless",
        "{S} was tearful throughout the visit",
        "{S} reports passive suicidal thoughts but no plan",
        "{S} has been isolating in {p} room",
        "{S} said “[I can’t stop worrying about everything]”",
      ],
      improvement: [
        "{S} reports {p} mood has improved since starting therapy",
        "{S} is sleeping better than {s} has in months",
        "{S} has had fewer panic attacks this month",
        "{S} started counselling at {clinic}",
        "{S} said “[I’m finally getting somewhere]”",
        "{S} is using breathing exercises and says they help",
      ],
      deterioration: [
        "{S} reports {p} depression has gotten worse",
        "{S} stopped taking {p} antidepressant",
        "{S} has been having more panic attacks since {weekday}",
        "{S} was hospitalised for a mental health crisis",
        "{S} has stopped going to therapy",
        "{S} said “[I don’t see the point anymore]”",
      ],
    },
    historical: {
      concern: [
        "{S} was hospitalised for depression in {year}",
        "{S} was diagnosed with PTSD in {year}",
        "{S} attempted suicide in {year}",
        "{S} struggled with severe anxiety as a teenager",
        "{S} was in inpatient psychiatric care in {year}",
        "{S} went through a long depression after {p} divorce in {year}",
      ],
      strength: [
        "{S} completed a year of therapy in {year} and found it very helpful",
        "{S} managed {p} anxiety well for years before {year}",
        "{S} had a stable mood for most of {p} adult life",
        "{S} used to lead a peer support group",
        "{S} learned coping skills in counselling back in {year}",
        "{S} was doing well emotionally before {year}",
      ],
    },
    negated: {
      concern: [
        "{S} denies suicidal ideation",
        "{S} denies SI/HI",
        "No concerns about mood at this time",
        "{S} denies feeling depressed",
        "{S} reports no anxiety this week",
        "{S} has not had any panic attacks recently",
      ],
    },
    distractors: [
      "Reminded group about the agency's crisis line number",
      "Staff completed mental health first aid training",
      "{P} roommate is seeing a therapist",
      "Mental health was not discussed today",
    ],
    goals: ["Attend weekly counselling", "Reduce anxiety symptoms", "Take medication as prescribed", "Develop coping skills"],
  },

  substance_use: {
    current: {
      strength: [
        "{S} has been sober for {num} months",
        "{S} attends AA meetings twice a week",
        "{S} has a sponsor and checks in daily",
        "{S} is stable on methadone",
        "{S} has had clean drug screens all month",
        "{S} avoids old friends who still use",
      ],
      concern: [
        "{S} is drinking daily",
        "{S} admits to using meth on weekends",
        "{S} smelled of alcohol at the visit",
        "{S} reports using opioids {num} times this week",
        "{S} tested positive for cocaine",
        "{S} is drinking to cope with stress",
      ],
      improvement: [
        "{S} started outpatient treatment at {clinic}",
        "{S} has cut down to drinking only on weekends",
        "{S} completed detox and is now in a recovery programme",
        "{S} marked {num} months sober on {weekday}",
        "{S} had a clean drug screen for the first time",
        "{S} got a sponsor",
      ],
      deterioration: [
        "{S} relapsed on {weekday}",
        "{S} is drinking again after {num} months sober",
        "{S} overdosed last week and was revived with naloxone",
        "{S} was discharged from treatment for using on site",
        "{S} stopped going to meetings and is using again",
        "{S} tested positive for fentanyl",
      ],
    },
    historical: {
      concern: [
        "{S} used heroin for {num} years before {year}",
        "{S} went through rehab in {year}",
        "{S} drank heavily in {p} twenties",
        "{S} has a history of alcohol use going back to {year}",
        "{S} overdosed in {year}",
        "{S} was in drug court in {year}",
      ],
      strength: [
        "{S} stayed sober for eight years before {year}",
        "{S} completed treatment in {year} and stayed in recovery for years",
        "{S} was a peer recovery coach in {year}",
        "{S} quit drinking on {p} own in {year}",
        "{S} led a recovery group at {p} church before {year}",
        "{S} had a long period of sobriety before {year}",
      ],
    },
    negated: {
      concern: [
        "{S} denies any substance use",
        "{S} denies alcohol or drug use",
        "No concerns about substance use at this time",
        "{S} reports no drinking since the last visit",
        "{S} has not used any drugs this month",
        "{S} denies using {drug}",
      ],
    },
    distractors: [
      "Naloxone training offered to all staff on {weekday}",
      "Read through the programme's drug-free policy, as required for everyone at intake",
      "{P} brother is in rehab",
      "Substance use was not discussed today",
    ],
    goals: ["Maintain sobriety", "Attend outpatient treatment", "Attend AA/NA weekly", "Reduce drinking"],
  },

  family_social: {
    current: {
      strength: [
        "{S} has a strong support network at {p} church",
        "{S} is close to {p} {relative} and talks to them every day",
        "{S} has friends nearby who check in on {O}",
        "{S} sees {p} family every Sunday",
        "{S} volunteers at the community centre and enjoys it",
        "{S} has a supportive partner",
      ],
      concern: [
        "{S} has no one to call in an emergency",
        "{S} is estranged from {p} family",
        "{S} feels isolated and lonely",
        "{S} is in conflict with {p} {relative}",
        "{S} does not have any friends in the area",
        "{S} has not spoken to {p} adult children in months",
      ],
      improvement: [
        "{S} reconnected with {p} {relative}",
        "{S} joined a support group and has made friends there",
        "{S} is spending more time with {p} kids",
        "{S} and {p} {relative} are talking again",
        "{S} started volunteering at the animal shelter",
        "{S} went to a family dinner for the first time in years",
      ],
      deterioration: [
        "{S} had a falling out with {p} {relative}",
        "{S} broke up with {p} partner",
        "{S} has stopped going to church and is isolating",
        "{P} {relative} cut off contact",
        "{S} feels more alone since {p} best friend moved away",
        "{S} says {p} family has stopped returning calls",
      ],
    },
    historical: {
      concern: [
        "{S} grew up in foster care",
        "{S} was estranged from {p} parents for years after {year}",
        "{S} lost {p} spouse in {year}",
        "{S} had no contact with {p} family from {year} until recently",
        "{S} was very isolated after moving here in {year}",
        "{S} ran away from home as a teenager",
      ],
      strength: [
        "{S} was very active in {p} church before {year}",
        "{S} grew up in a close family",
        "{S} coached youth soccer for years",
        "{S} had a large circle of friends before the move",
        "{S} was married for twenty years and describes it as a good marriage",
        "{S} used to volunteer every weekend",
      ],
    },
    negated: {
      concern: [
        "{S} denies feeling isolated",
        "No concerns about family relationships at this time",
        "{S} reports no conflict at home",
        "{S} denies any family conflict",
        "{S} says {s} doesn't feel lonely",
        "{S} has no concerns about {p} relationships right now",
      ],
    },
    distractors: [
      "Explained the shelter's family visitation rules",
      "The community centre is hosting a family fun day in {month}",
      "{P} neighbour's family is moving away",
      "Family relationships were not discussed today",
    ],
    goals: ["Strengthen support network", "Reconnect with family", "Join a support group"],
  },

  transport: {
    current: {
      strength: [
        "{S} has a reliable car",
        "{S} has a monthly bus pass",
        "{S} has a valid driver's licence and insurance",
        "{S} bikes to work every day",
        "{S} knows the bus routes and gets around easily",
        "{P} {relative} drives {O} to appointments",
      ],
      concern: [
        "{S} has no way to get to appointments",
        "{S} missed the interview because the bus didn't come",
        "{P} car broke down and {s} can't afford repairs",
        "{S} walks over an hour to work each way",
        "{S} doesn't have a driver's licence",
        "{S} can't afford bus fare this month",
      ],
      improvement: [
        "{S} got a bus pass through the programme",
        "{S} passed {p} driving test",
        "{S} bought a used car",
        "{P} car was repaired",
        "{S} learned the bus route to {employer}",
        "{S} signed up for the medical transport service",
      ],
      deterioration: [
        "{P} car was repossessed",
        "{S} lost {p} bus pass",
        "{P} licence was suspended",
        "{P} ride to work fell through",
        "{S} missed {num} appointments for lack of transport",
        "{P} car broke down again on {weekday}",
      ],
    },
    historical: {
      concern: [
        "{S} lost {p} licence in {year}",
        "{S} had no car for years after {year}",
        "{S} had {p} car repossessed in {year}",
        "{S} relied on rides from others until {year}",
        "{S} lived too far from any bus line in {year}",
        "Back in {year} [{s} had no way to get to work]",
      ],
      strength: [
        "{S} drove a delivery truck for years before {year}",
        "{S} had a clean driving record until {year}",
        "{S} always had a car before the move",
        "{S} used to commute by bike year-round",
        "{S} owned a car outright until {year}",
        "{S} got {p} licence at sixteen and drove for decades",
      ],
    },
    negated: {
      concern: [
        "{S} denies any transportation problems",
        "No concerns about transport at this time",
        "{S} has not missed any appointments due to transportation",
        "{S} reports no trouble getting to work",
        "Transportation is not a barrier for {O}",
        "{S} does not need a bus pass right now",
      ],
    },
    distractors: [
      "Bus routes change next month per the transit authority",
      "Parking at the office is limited on {weekday}s",
      "{P} roommate just bought a car",
      "Transport was not discussed today",
    ],
    goals: ["Obtain a driver's licence", "Secure reliable transportation", "Learn bus routes to work"],
  },

  safety: {
    current: {
      strength: [
        "{S} feels safe at home",
        "{S} has a safety plan and knows how to use it",
        "{S} lives in a building with a secure entrance",
        "{S} has a protective order in place and feels secure",
        "{S} says the neighbourhood is quiet and safe",
        "{S} has a trusted neighbour to call if needed",
      ],
      concern: [
        "{S} reports {p} ex-partner has been threatening {O}",
        "{S} doesn't feel safe in {p} building",
        "{S} has bruises on {p} arms and would not say how",
        "{S} says there are fights outside {p} apartment most nights",
        "{S} is afraid {p} ex will find {O}",
        "{S} was threatened by a neighbour",
      ],
      improvement: [
        "{S} obtained a protective order",
        "{S} moved to a domestic violence shelter and feels safer",
        "{S} completed a safety plan with the advocate",
        "{S} had the locks changed",
        "{S} says {s} finally feels safe at home",
        "{P} ex-partner moved out of state",
      ],
      deterioration: [
        "{S} was assaulted on {weekday}",
        "{P} ex-partner violated the protective order",
        "{S} had {p} apartment broken into",
        "{S} reports the threats have increased",
        "Police were called to {p} home on {weekday}",
        "{S} says {s} no longer feels safe walking home",
      ],
    },
    historical: {
      concern: [
        "{S} experienced domestic violence in {p} previous relationship",
        "{S} was assaulted in {year}",
        "{S} fled an abusive partner in {year}",
        "{S} grew up in a violent household",
        "{S} had a protective order against {p} ex in {year}",
        "{S} was the victim of a robbery in {year}",
      ],
      strength: [
        "{S} completed a self-defence course in {year}",
        "{S} left an unsafe relationship on {p} own in {year}",
        "{S} lived in a safe, stable neighbourhood for years before {year}",
        "{S} used to volunteer at a domestic violence hotline",
        "{S} kept {p} children safe through a difficult period in {year}",
        "{S} had a strong safety plan in place back in {year}",
      ],
    },
    negated: {
      concern: [
        "{S} denies any domestic violence",
        "No concerns about safety at this time",
        "{S} denies feeling unsafe at home",
        "{S} reports no contact from {p} ex-partner",
        "{S} has not had any threats this month",
        "{S} denies any abuse",
      ],
    },
    distractors: [
      "Fire drill at the office during the appointment",
      "Reviewed the building's safety procedures with new staff",
      "{P} neighbour's car was broken into",
      "Safety was not discussed today",
    ],
    goals: ["Complete a safety plan", "Obtain a protective order", "Move to a safe residence"],
  },

  parenting: {
    current: {
      strength: [
        "{S} is attentive and patient with {kid}",
        "{S} has a consistent bedtime routine for the kids",
        "{S} gets the children to school on time every day",
        "{S} uses positive discipline with {p} children",
        "{S} attends every parent-teacher conference",
        "{S} keeps {kid} up to date on all check-ups and shots",
      ],
      concern: [
        "{S} yells at the children frequently",
        "{S} struggles to manage {kid}'s behaviour",
        "CPS has an open investigation on {p} family",
        "{S} is overwhelmed caring for {num} kids alone",
        "{S} has trouble getting {kid} to school",
        "{S} has only supervised visits with {p} children",
      ],
      improvement: [
        "{S} completed the parenting class",
        "{S} got unsupervised visits with {p} kids",
        "CPS closed {p} case",
        "{S} reports fewer meltdowns since starting a routine with {kid}",
        "{S} regained custody of {kid}",
        "{S} now reads with {kid} every night",
      ],
      deterioration: [
        "CPS opened a new investigation on {p} family this week",
        "{S} lost custody of {kid}",
        "{S} stopped attending parenting class",
        "{kid} was removed from {p} home on {weekday}",
        "{S} missed {p} supervised visit with the kids",
        "{kid}'s school called about neglect concerns",
      ],
    },
    historical: {
      concern: [
        "{S} lost custody of {p} oldest in {year}",
        "CPS was involved with {p} family in {year}",
        "{S} had {p} first child at fifteen",
        "{P} children were in foster care in {year}",
        "{S} was investigated for neglect in {year}",
        "{S} had no parenting support when the kids were young",
      ],
      strength: [
        "{S} raised {num} children on {p} own",
        "{S} completed a parenting course in {year}",
        "{S} was an active PTA volunteer before {year}",
        "{S} has raised {p} older kids to adulthood successfully",
        "{S} fostered children for several years",
        "{S} was praised by the kids' school for {p} involvement back in {year}",
      ],
    },
    negated: {
      concern: [
        "No concerns about parenting at this time",
        "{S} denies any CPS involvement",
        "{S} reports no behaviour problems with the kids",
        "There are no child welfare concerns for {p} family",
        "{S} has not missed any visits with {p} children",
        "{S} denies any difficulty managing the children",
      ],
    },
    distractors: [
      "Parenting class flyer placed in the waiting room",
      "{P} sister just had a baby",
      "Explained the general process for CPS referrals to a new staff member",
      "Parenting was not discussed today",
    ],
    goals: ["Complete parenting class", "Establish a daily routine for the children", "Regain custody", "Attend all supervised visits"],
  },
};

/** Neutral fillers: no domain content. */
export const FILLERS: readonly string[] = [
  "{S} arrived about ten minutes late",
  "We talked for about forty minutes",
  "The meeting was brief because {s} had another appointment",
  "We went over the plan from last time",
  "We reviewed the goals set at intake",
  "{kid} came along to the meeting",
  "{S} asked good questions throughout",
  "We spent most of the time catching up",
  "We spent some time reviewing the service plan and updated two of the action steps",
  "{S} had a lot to talk about, so we picked the two most pressing items",
  "The meeting ran about an hour and covered most of the plan",
  "Reviewed the consent forms and the release of information with {O} before starting",
  "{S} had {p} paperwork folder with {O}, so we went through it together",
];

/** Neutral fillers for phone / text contacts. */
export const CONTACT_FILLERS: readonly string[] = [
  "The call lasted about fifteen minutes",
  "{S} returned the call the same afternoon",
  "The line was bad, so we agreed to talk again later in the week",
  "{S} was on a break at work, so we kept it short",
  "{S} called back after I left a message yesterday",
  "We went over the open items from the last visit",
];

/**
 * Lead-ins put before an evidence sentence that starts with the client ("During the visit, she …").
 * Not part of the evidence span; they keep the sentence's status (current / historical / negated).
 */
export const PREFIXES: Record<'current' | 'change' | 'historical' | 'negated', readonly string[]> = {
  current: ["When asked how things are going, ", "Per {p} report, ", "{S} mentioned that ", "{S} told me that ", "Of note, ", "CM notes that "],
  change: ["Since we last met, ", "Update: ", "Since the last visit ", "In the past two weeks "],
  historical: [
    "Looking back, ",
    "During the history part of the assessment {s} shared that ",
    "When we went over {p} background, {s} mentioned that ",
    "For context, ",
  ],
  negated: ["When asked, ", "On screening today, ", "At check-in today ", "Asked again today and "],
};

/** Plan blocks for longer notes: generic next steps, no domain content. */
export const PLANS: readonly string[] = [
  "Plan: (1) check in by phone on {weekday}; (2) bring the updated service plan to the next visit; (3) review goals at the next monthly review",
  "Plan — follow up on the open referrals, confirm the next appointment for {weekday}, and update the service plan after supervision",
  "Next steps: CM to send the paperwork we discussed, {name} to call back by {weekday}, and we will review progress together in two weeks",
  "Plan: continue weekly contact, review the action steps at the next visit and complete the quarterly review with {O} in {month}",
  "Plan for the next visit: go over each goal in the service plan, check which referrals are still open, and agree on one priority for the month",
];

/**
 * Clauses appended to an evidence sentence ("…; we talked through options"). They comment on the
 * evidence but add none, so they never get a truth row. Lower-case start.
 */
export const ELABORATIONS: Record<'problem' | 'improvement' | 'strength' | 'historical' | 'negated', readonly string[]> = {
  problem: [
    "we talked through options and agreed on next steps",
    "CM will look into resources and follow up",
    "I gave {O} a list of places to call",
    "we made a plan to revisit this on {weekday}",
    "this will be a focus for the next few weeks",
    "{s} wants to work on it",
    "we agreed to come back to this at the next visit",
    "will discuss with supervisor",
  ],
  improvement: [
    "CM acknowledged the work this took",
    "we talked about how to keep it going",
    "this is a real change since intake",
    "I congratulated {O}",
    "we updated the plan to reflect it",
    "a step forward on the plan",
  ],
  strength: [
    "worth noting for the next review",
    "noted as a strength in the plan",
    "we talked about building on this",
    "this has been consistent",
    "something to build on",
  ],
  historical: [
    "this came up while we were going over {p} background",
    "mentioned in passing during the history part of the assessment",
    "{s} brought it up without being asked",
    "noted for the file",
  ],
  negated: [
    "asked directly",
    "will continue to check in about this",
    "per {p} report today",
    "no change from last time",
    "screened as part of the routine check-in",
  ],
};

export type Voice = 'first' | 'cm' | 'writer' | 'none';

/** Openers by author voice. No domain content. */
export const OPENERS: Record<Voice, readonly string[]> = {
  first: [
    "I met with {O} at the office today",
    "I saw {O} for {p} regular check-in",
    "I did a home visit with {O}",
    "I met {O} at the library on {street}",
    "I checked in with {O} after group",
    "I met with {O} at the office today for {p} regular weekly appointment",
    "I visited {O} at home this afternoon as planned",
  ],
  cm: [
    "CM met with {O} in the office",
    "CM completed a home visit with {O}",
    "CM and {O} met at the coffee shop on {street}",
    "CM met {O} for a scheduled check-in",
    "Office visit with CM",
    "CM met with {O} at the office for the scheduled monthly review",
    "CM visited {O} at home; the visit lasted about forty-five minutes",
  ],
  writer: [
    "Writer met with {O} for a scheduled session",
    "Writer completed a home visit with {O}",
    "Writer met with {O} in the community",
    "Writer saw {O} at the drop-in centre",
    "Writer met with {O} at the agency office for a planned progress review",
  ],
  none: [
    "Office visit",
    "HV",
    "F2F w/ {O} at office",
    "Scheduled check-in",
    "Home visit — {S} was home and expecting us",
    "Walk-in",
  ],
};

export const CONTACT_OPENERS: Record<Voice, readonly string[]> = {
  first: ["I called {O} for a check-in", "I spoke with {O} by phone", "I got a call from {O} this morning", "I texted back and forth with {O}"],
  cm: ["CM spoke with {O} by phone", "CM called {O} for a check-in", "CM returned {p} call", "Phone contact between CM and {O}"],
  writer: ["Writer spoke with {O} by phone", "Writer returned {p} call", "Writer called {O} for a scheduled check-in"],
  none: ["Phone call", "Phone contact w/ {O}", "TC w/ {O}", "Call from {O}", "Brief call"],
};

export const CLOSERS: readonly string[] = [
  "Will follow up next week",
  "Next appointment set for {weekday}",
  "Plan: continue weekly check-ins",
  "Continue to monitor",
  "Will call {O} on {weekday}",
  "Follow up in two weeks",
  "Encouraged {O} to call with any questions",
  "Next steps reviewed and agreed",
];

export const CLOSERS_FIRST: readonly string[] = [
  "I’ll check in again on {weekday}",
  "I will follow up by phone next week",
  "I’ll send the referral by Friday",
];

export const CLOSERS_TERSE: readonly string[] = ["RTC 2 wks", "f/u next wk", "Cont. plan", "Next appt {weekday}", "Will f/u"];

/** Plain admin sentences: no domain evidence, no personal data. */
export const ADMIN: readonly string[] = [
  "Left voicemail to reschedule",
  "Updated contact details",
  "Left voicemail for {O} to reschedule {weekday}'s appointment",
  "Mailed an appointment reminder letter",
  "Scanned the signed release of information into the file",
  "Case file reviewed for quarterly audit",
  "Called {O}, no answer; left a message",
  "Uploaded intake paperwork",
  "Entered last week's service units",
  "Texted {O} a reminder about {weekday}'s meeting",
  "Rescheduled appointment at {p} request",
  "Closed out a duplicate record created in error",
  "Sent the consent form for signature",
  "File transferred from the previous case manager",
  "Updated emergency contact",
  "Supervisor reviewed the file",
  "Requested records from the referring agency",
  "Corrected date of birth typo in the record",
];

/** Admin sentences carrying personal data (for redaction tests). */
export const ADMIN_PII: readonly string[] = [
  "Updated phone number to {phone}",
  "New number on file: {phone}",
  "{S} asked that letters go to {email} from now on",
  "Emailed the appointment confirmation to {email}",
  "Called {name} at {phone}, no answer",
  "{name} can be reached at {phone} after 3pm",
];

/** Procedural assessment sentences: say an instrument was used, state no result (not evidence). */
export const ASSESSMENT_PROC: readonly string[] = [
  "Completed the PHQ-9 and GAD-7 with {O}",
  "Administered the self-sufficiency matrix as part of the {tp} review",
  "Reassessment completed today",
  "Went through the {tp} assessment with {O}",
  "Completed the SSM ratings with {O}",
];

export const EMOJI: readonly string[] = ['🙂', '👍', '🙏', '😊'];

export const SURVEY_COMMENTS: Record<'good' | 'mid' | 'bad', readonly string[]> = {
  good: [
    "Staff were kind and patient.",
    "My case manager really listened.",
    "Helped me find an apartment — thank you!",
    "Great program, would recommend to anyone.",
    "“Life-changing,” honestly.",
    "They treated me like a person, not a number.",
    "Thank you for everything 🙏",
    "Quick to call back, very helpful",
  ],
  mid: [
    "It was okay.",
    "Took a while to get an appointment.",
    "Some staff were better than others.",
    "Helpful, but the office hours don't work with my job.",
    "Fine overall",
  ],
  bad: [
    "Nobody called me back.",
    "Too much paperwork, not enough help.",
    "I had three different case managers, which was confusing.",
    "Felt rushed every time.",
    "The \"help\" was mostly a list of phone numbers.",
  ],
};
