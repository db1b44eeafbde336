/*
 * A corpus of quotes a model might return, over six case notes written for this test: quotes
 * that say the opposite of the note (a negation put in or taken out), that change a word or two
 * that matters (an opposite, a number, a date, a person), that join sentences, that are not in
 * the note at all, and benign variants that must still be found. Each changed quote comes with
 * the note's own words it was made from (`from`), so the test can check the case is what it
 * claims to be: those words are in the note, and are found exactly.
 */

export const NOTES = {
  work:
    'Client reports she is employed part-time at the grocery store and pays rent on time. ' +
    'Her landlord confirmed the lease was renewed for another twelve months. ' +
    'She said her hours were increased to 30 per week in March. ' +
    'Her son Marcus started at the new school on Monday and is settling in well.',
  health:
    'Met with client at the clinic on Tuesday. ' +
    'He has been sober for six months and attends AA meetings three times a week. ' +
    'His blood pressure has improved since he started the new medication. ' +
    'He reports he is sleeping better and his appetite has returned. ' +
    'Dr. Patel approved the referral to physical therapy.',
  benefits:
    "Client's application for SNAP benefits was approved on 12 April. " +
    'She received a back payment of $420 and has paid off the electric bill. ' +
    "Her daughter is now covered under the family's Medicaid plan. " +
    'She can manage the monthly budget with the worksheet we made together. ' +
    'She still owes $150 to her sister.',
  family:
    'The client lives with his partner and their two children in a two-bedroom apartment. ' +
    'He said he feels safe at home and the arguments with his partner have stopped. ' +
    'His mother visits every Sunday and helps with childcare. ' +
    'Client accepted the referral to the parenting group and will attend the first session next week.',
  barriers:
    "Client does not have a driver's license and relies on the bus to get to work. " +
    'She has never missed a shift since starting in January. ' +
    'She denies any drug use in the past year. ' +
    'Her manager said she is unable to work weekends because of childcare. ' +
    'She was not approved for the housing voucher this round.',
  mood:
    'Client stated that his mood has been stable and he is no longer having panic attacks.\n' +
    'He completed the anger management course in February.\n' +
    'His wife reported that he has been more patient with the kids. ' +
    'He is looking for a full-time job in construction and has applied to three companies.',
} as const;
export type NoteName = keyof typeof NOTES;

/** A changed quote: `quote` is what the model returned, `from` the note's words it was made from. */
export interface Changed {
  note: NoteName;
  from: string;
  quote: string;
  /** the kind of difference `meaningDifference` must name */
  kind: RegExp;
}

/** (a) A negation put in or taken out: the quote says the opposite of the note. */
export const FLIPPED: Changed[] = [
  { note: 'work', from: 'Client reports she is employed part-time at the grocery store and pays rent on time', quote: 'Client reports she is not employed part-time at the grocery store and pays rent on time', kind: /negation "not" inserted/ },
  { note: 'work', from: 'Client reports she is employed part-time at the grocery store and pays rent on time', quote: 'Client reports she is employed part-time at the grocery store and never pays rent on time', kind: /negation "never" inserted/ },
  { note: 'work', from: 'Her landlord confirmed the lease was renewed for another twelve months', quote: 'Her landlord confirmed the lease was not renewed for another twelve months', kind: /negation "not" inserted/ },
  { note: 'work', from: 'Her son Marcus started at the new school on Monday and is settling in well', quote: 'Her son Marcus started at the new school on Monday and is not settling in well', kind: /negation "not" inserted/ },
  { note: 'health', from: 'He has been sober for six months and attends AA meetings three times a week', quote: 'He has not been sober for six months and attends AA meetings three times a week', kind: /negation "not" inserted/ },
  { note: 'health', from: 'His blood pressure has improved since he started the new medication', quote: 'His blood pressure has not improved since he started the new medication', kind: /negation "not" inserted/ },
  { note: 'health', from: 'He reports he is sleeping better and his appetite has returned', quote: "He reports he isn't sleeping better and his appetite has returned", kind: /negation "not" inserted/ },
  { note: 'health', from: 'He reports he is sleeping better and his appetite has returned', quote: 'He reports he is sleeping better and his appetite has not returned', kind: /negation "not" inserted/ },
  { note: 'health', from: 'Dr. Patel approved the referral to physical therapy', quote: 'Dr. Patel never approved the referral to physical therapy', kind: /negation "never" inserted/ },
  { note: 'benefits', from: "Client's application for SNAP benefits was approved on 12 April", quote: "Client's application for SNAP benefits was not approved on 12 April", kind: /negation "not" inserted/ },
  { note: 'benefits', from: 'She can manage the monthly budget with the worksheet we made together', quote: "She can't manage the monthly budget with the worksheet we made together", kind: /negation "not" inserted/ },
  { note: 'benefits', from: "Her daughter is now covered under the family's Medicaid plan", quote: "Her daughter is not covered under the family's Medicaid plan", kind: /negation changed: "not" → "now"/ },
  { note: 'family', from: 'He said he feels safe at home and the arguments with his partner have stopped', quote: 'He said he feels unsafe at home and the arguments with his partner have stopped', kind: /negation changed: "unsafe" → "safe"/ },
  { note: 'family', from: 'He said he feels safe at home and the arguments with his partner have stopped', quote: "He said he doesn't feel safe at home and the arguments with his partner have stopped", kind: /negation "not" inserted/ },
  { note: 'family', from: 'Client accepted the referral to the parenting group and will attend the first session next week', quote: 'Client accepted the referral to the parenting group and will not attend the first session next week', kind: /negation "not" inserted/ },
  { note: 'barriers', from: "Client does not have a driver's license and relies on the bus to get to work", quote: "Client does have a driver's license and relies on the bus to get to work", kind: /negation "not" removed/ },
  { note: 'barriers', from: 'She has never missed a shift since starting in January', quote: 'She has missed a shift since starting in January', kind: /negation "never" removed/ },
  { note: 'barriers', from: 'She denies any drug use in the past year', quote: 'She reports any drug use in the past year', kind: /negation changed: "reports" → "denies"/ },
  { note: 'barriers', from: 'Her manager said she is unable to work weekends because of childcare', quote: 'Her manager said she is able to work weekends because of childcare', kind: /negation changed: "able" → "unable"/ },
  { note: 'barriers', from: 'She was not approved for the housing voucher this round', quote: 'She was approved for the housing voucher this round', kind: /negation "not" removed/ },
  { note: 'mood', from: 'Client stated that his mood has been stable and he is no longer having panic attacks', quote: 'Client stated that his mood has been stable and he is still having panic attacks', kind: /negation/ },
  { note: 'mood', from: 'Client stated that his mood has been stable and he is no longer having panic attacks', quote: 'Client stated that his mood has been unstable and he is no longer having panic attacks', kind: /negation changed: "unstable" → "stable"/ },
  { note: 'mood', from: 'He completed the anger management course in February', quote: 'He did not complete the anger management course in February', kind: /negation "not" inserted/ },
];

/** (b) One or two words replaced so that the quote says something else: opposites, numbers, dates, people. */
export const SUBSTITUTED: Changed[] = [
  { note: 'work', from: 'She said her hours were increased to 30 per week in March', quote: 'She said her hours were decreased to 30 per week in March', kind: /opposite changed: "decreased" → "increased"/ },
  { note: 'work', from: 'She said her hours were increased to 30 per week in March', quote: 'She said her hours were increased to 20 per week in March', kind: /number or date changed: "20" → "30"/ },
  { note: 'work', from: 'She said her hours were increased to 30 per week in March', quote: 'She said her hours were increased to 30 per week in May', kind: /number or date changed: "May" → "March"/ },
  { note: 'work', from: 'Client reports she is employed part-time at the grocery store and pays rent on time', quote: 'Client reports he is employed part-time at the grocery store and pays rent on time', kind: /person changed: "he" → "she"/ },
  { note: 'work', from: 'Client reports she is employed part-time at the grocery store and pays rent on time', quote: 'Client reports she is employed full-time at the grocery store and pays rent on time', kind: /opposite changed: "full" → "part"/ },
  { note: 'work', from: 'Her son Marcus started at the new school on Monday and is settling in well', quote: 'Her son Mark started at the new school on Monday and is settling in well', kind: /person changed: "Mark" → "Marcus"/ },
  { note: 'work', from: 'Her son Marcus started at the new school on Monday and is settling in well', quote: 'Her daughter Marcus started at the new school on Monday and is settling in well', kind: /person changed: "daughter" → "son"/ },
  { note: 'work', from: 'Her son Marcus started at the new school on Monday and is settling in well', quote: 'Her son Marcus started at the new school on Friday and is settling in well', kind: /number or date changed: "Friday" → "Monday"/ },
  { note: 'work', from: 'Her landlord confirmed the lease was renewed for another twelve months', quote: 'Her landlord confirmed the lease was renewed for another six months', kind: /number or date changed: "six" → "twelve"/ },
  { note: 'work', from: 'Her landlord confirmed the lease was renewed for another twelve months', quote: 'Her employer confirmed the lease was renewed for another twelve months', kind: /person changed: "employer" → "landlord"/ },
  { note: 'health', from: 'He has been sober for six months and attends AA meetings three times a week', quote: 'He has been sober for six weeks and attends AA meetings three times a week', kind: /number or date changed: "weeks" → "months"/ },
  { note: 'health', from: 'He has been sober for six months and attends AA meetings three times a week', quote: 'He has been sober for six months and attends AA meetings two times a week', kind: /number or date changed: "two" → "three"/ },
  { note: 'health', from: 'His blood pressure has improved since he started the new medication', quote: 'His blood pressure has worsened since he started the new medication', kind: /opposite changed: "worsened" → "improved"/ },
  { note: 'health', from: 'His blood pressure has improved since he started the new medication', quote: 'Her blood pressure has improved since she started the new medication', kind: /person changed: "Her" → "His"/ },
  { note: 'health', from: 'He reports he is sleeping better and his appetite has returned', quote: 'He reports he is sleeping worse and his appetite has returned', kind: /opposite changed: "worse" → "better"/ },
  { note: 'health', from: 'Met with client at the clinic on Tuesday', quote: 'Met with client at the clinic on Thursday', kind: /number or date changed: "Thursday" → "Tuesday"/ },
  { note: 'health', from: 'Dr. Patel approved the referral to physical therapy', quote: 'Dr. Patel denied the referral to physical therapy', kind: /negation changed: "denied" → "approved"/ },
  { note: 'benefits', from: "Client's application for SNAP benefits was approved on 12 April", quote: "Client's application for SNAP benefits was rejected on 12 April", kind: /opposite changed: "rejected" → "approved"/ },
  { note: 'benefits', from: "Client's application for SNAP benefits was approved on 12 April", quote: "Client's application for SNAP benefits was approved on 21 April", kind: /number or date changed: "21" → "12"/ },
  { note: 'benefits', from: 'She received a back payment of $420 and has paid off the electric bill', quote: 'She received a back payment of $240 and has paid off the electric bill', kind: /number or date changed: "240" → "420"/ },
  { note: 'benefits', from: 'She received a back payment of $420 and has paid off the electric bill', quote: 'She received a back payment of $420 and has paid off the water bill', kind: /word changed: "water" → "electric"/ },
  { note: 'benefits', from: 'She can manage the monthly budget with the worksheet we made together', quote: 'She should manage the monthly budget with the worksheet we made together', kind: /modal changed: "should" → "can"/ },
  { note: 'benefits', from: 'She still owes $150 to her sister', quote: 'She still owes $150 to her brother', kind: /person changed: "brother" → "sister"/ },
  { note: 'benefits', from: 'She still owes $150 to her sister', quote: 'Her sister still owes $150 to her', kind: /person/ },
  { note: 'family', from: 'The client lives with his partner and their two children in a two-bedroom apartment', quote: 'The client lives with his partner and their three children in a two-bedroom apartment', kind: /number or date changed: "three" → "two"/ },
  { note: 'family', from: 'The client lives with his partner and their two children in a two-bedroom apartment', quote: 'The client lives with his mother and their two children in a two-bedroom apartment', kind: /person changed: "mother" → "partner"/ },
  { note: 'family', from: 'His mother visits every Sunday and helps with childcare', quote: 'His mother visits every Saturday and helps with childcare', kind: /number or date changed: "Saturday" → "Sunday"/ },
  { note: 'family', from: 'His mother visits every Sunday and helps with childcare', quote: 'His sister visits every Sunday and helps with childcare', kind: /person changed: "sister" → "mother"/ },
  { note: 'family', from: 'Client accepted the referral to the parenting group and will attend the first session next week', quote: 'Client rejected the referral to the parenting group and will attend the first session next week', kind: /opposite changed: "rejected" → "accepted"/ },
  { note: 'family', from: 'Client accepted the referral to the parenting group and will attend the first session next week', quote: 'Client accepted the referral to the parenting group and will attend the last session next week', kind: /number or date changed: "last" → "first"/ },
  { note: 'family', from: 'Client accepted the referral to the parenting group and will attend the first session next week', quote: 'Client accepted the referral to the parenting group and will attend the first session last week', kind: /opposite changed: "last" → "next"/ },
  { note: 'mood', from: 'His wife reported that he has been more patient with the kids', quote: 'His wife reported that he has been less patient with the kids', kind: /opposite changed: "less" → "more"/ },
  { note: 'mood', from: 'His wife reported that he has been more patient with the kids', quote: 'He reported that his wife has been more patient with the kids', kind: /person/ },
  { note: 'mood', from: 'He completed the anger management course in February', quote: 'He completed the anger management course in December', kind: /number or date changed: "December" → "February"/ },
  { note: 'mood', from: 'He is looking for a full-time job in construction and has applied to three companies', quote: 'He is looking for a part-time job in construction and has applied to three companies', kind: /opposite changed: "part" → "full"/ },
  { note: 'mood', from: 'He is looking for a full-time job in construction and has applied to three companies', quote: 'He is looking for a full-time job in construction and has applied to thirteen companies', kind: /number or date changed: "thirteen" → "three"/ },
];

/**
 * (c) Quotes that join sentences. `parts` is what must be stored: one exact citation per
 * sentence, or nothing (null) when a part would be too short or the join is not in the note.
 */
export const MERGED: { note: NoteName; quote: string; parts: string[] | null }[] = [
  { note: 'work', quote: 'pays rent on time. Her landlord confirmed the lease was renewed', parts: ['pays rent on time.', 'Her landlord confirmed the lease was renewed'] },
  { note: 'work', quote: 'pays rent on time Her landlord confirmed the lease was renewed', parts: ['pays rent on time.', 'Her landlord confirmed the lease was renewed'] },
  { note: 'health', quote: 'He has been sober for six months. He attends AA meetings', parts: null },
  { note: 'health', quote: 'attends AA meetings three times a week. His blood pressure has improved', parts: ['attends AA meetings three times a week.', 'His blood pressure has improved'] },
  { note: 'health', quote: 'three times a week. His blood pressure has improved', parts: ['three times a week.', 'His blood pressure has improved'] },
  { note: 'health', quote: 'a week. His blood pressure has improved', parts: null },
  { note: 'benefits', quote: "approved on 12 April. She received a back payment of $420", parts: ['approved on 12 April.', 'She received a back payment of $420'] },
  { note: 'benefits', quote: 'She still owes $150 to her sister. She can manage the monthly budget', parts: null },
  { note: 'family', quote: 'He said he feels safe at home and helps with childcare', parts: null },
  { note: 'family', quote: 'the arguments with his partner have stopped. His mother visits every Sunday', parts: ['the arguments with his partner have stopped.', 'His mother visits every Sunday'] },
  { note: 'barriers', quote: 'to get to work. She has never missed a shift', parts: ['to get to work.', 'She has never missed a shift'] },
  { note: 'barriers', quote: 'the past year. Her', parts: null },
  { note: 'barriers', quote: 'in the past year. Her manager said she is able to work weekends', parts: null },
  { note: 'mood', quote: 'he is no longer having panic attacks. He completed the anger management course in February. His wife reported', parts: ['he is no longer having panic attacks.', 'He completed the anger management course in February.', 'His wife reported'] },
  { note: 'mood', quote: 'no longer having panic attacks He completed the anger management course', parts: ['no longer having panic attacks.', 'He completed the anger management course'] },
  { note: 'mood', quote: 'in February. His wife reported that he has been more patient', parts: null },
];

/** (d) Quotes that are not in the note at all, some close to what it says. */
export const HALLUCINATED: { note: NoteName; quote: string }[] = [
  { note: 'work', quote: 'She was evicted from the apartment last month' },
  { note: 'work', quote: 'Client reports she is employed full-time at the hardware store and pays rent late' },
  { note: 'work', quote: 'Her landlord threatened to end the lease' },
  { note: 'health', quote: 'He relapsed after six months and stopped attending AA meetings' },
  { note: 'health', quote: 'His blood sugar has been unstable since the new diet' },
  { note: 'health', quote: 'Dr. Patel referred him to a cardiologist' },
  { note: 'benefits', quote: 'Her SNAP benefits were cut after the review' },
  { note: 'benefits', quote: 'She has paid off her debt to her sister' },
  { note: 'family', quote: 'His partner moved out after the last argument' },
  { note: 'family', quote: 'Child protective services opened an investigation' },
  { note: 'barriers', quote: 'Client passed the driving test and bought a car' },
  { note: 'barriers', quote: 'She tested positive for cannabis at intake' },
  { note: 'mood', quote: 'He was hospitalised for a panic attack in February' },
  { note: 'mood', quote: 'He was hired by a construction company' },
];

/** (e) Benign variants: the model's quote differs from the note only in form, and must still be found. */
export const BENIGN: { note: NoteName; quote: string; expect: string; what: string }[] = [
  { note: 'work', what: 'case', quote: 'client reports she is employed part-time at the grocery store and pays rent on time', expect: 'Client reports she is employed part-time at the grocery store and pays rent on time' },
  { note: 'work', what: 'hyphen dropped', quote: 'Client reports she is employed part time at the grocery store and pays rent on time', expect: 'Client reports she is employed part-time at the grocery store and pays rent on time' },
  { note: 'work', what: 'article dropped', quote: 'Client reports she is employed part-time at grocery store and pays rent on time', expect: 'Client reports she is employed part-time at the grocery store and pays rent on time' },
  { note: 'work', what: 'article dropped', quote: 'Her landlord confirmed lease was renewed for another twelve months', expect: 'Her landlord confirmed the lease was renewed for another twelve months' },
  { note: 'work', what: 'whitespace', quote: 'Her landlord  confirmed the lease\nwas renewed for another twelve months', expect: 'Her landlord confirmed the lease was renewed for another twelve months' },
  { note: 'work', what: 'typo', quote: 'Her son Marcus started at the new school on Monday and is setling in well', expect: 'Her son Marcus started at the new school on Monday and is settling in well' },
  { note: 'work', what: 'article swapped', quote: 'She said her hours were increased to 30 a week in March', expect: 'She said her hours were increased to 30 per week in March' },
  { note: 'health', what: 'typo', quote: 'His blood presure has improved since he started the new medication', expect: 'His blood pressure has improved since he started the new medication' },
  { note: 'health', what: 'typo', quote: 'His blood pressure has improved since he started the new medicaton', expect: 'His blood pressure has improved since he started the new medication' },
  { note: 'health', what: 'typo', quote: 'He reports he is sleeping beter and his appetite has returned', expect: 'He reports he is sleeping better and his appetite has returned' },
  { note: 'health', what: 'punctuation', quote: 'Dr Patel approved the referral to physical therapy', expect: 'Dr. Patel approved the referral to physical therapy' },
  { note: 'health', what: 'article inserted', quote: 'Met with the client at the clinic on Tuesday', expect: 'Met with client at the clinic on Tuesday' },
  { note: 'health', what: 'contraction', quote: "He reports he's sleeping better and his appetite has returned", expect: 'He reports he is sleeping better and his appetite has returned' },
  { note: 'benefits', what: 'curly apostrophe', quote: 'Client’s application for SNAP benefits was approved on 12 April', expect: "Client's application for SNAP benefits was approved on 12 April" },
  { note: 'benefits', what: 'typo', quote: 'She recieved a back payment of $420 and has paid off the electric bill', expect: 'She received a back payment of $420 and has paid off the electric bill' },
  { note: 'benefits', what: 'article dropped', quote: 'She received back payment of $420 and has paid off the electric bill', expect: 'She received a back payment of $420 and has paid off the electric bill' },
  { note: 'benefits', what: 'curly apostrophe and case', quote: 'her daughter is now covered under the family’s medicaid plan', expect: "Her daughter is now covered under the family's Medicaid plan" },
  { note: 'benefits', what: '"that" inserted', quote: 'She can manage the monthly budget with the worksheet that we made together', expect: 'She can manage the monthly budget with the worksheet we made together' },
  { note: 'benefits', what: 'curly quotes around it', quote: '“She still owes $150 to her sister.”', expect: 'She still owes $150 to her sister' },
  { note: 'family', what: 'hyphen dropped', quote: 'The client lives with his partner and their two children in a two bedroom apartment', expect: 'The client lives with his partner and their two children in a two-bedroom apartment' },
  { note: 'family', what: 'comma added', quote: 'He said he feels safe at home, and the arguments with his partner have stopped', expect: 'He said he feels safe at home and the arguments with his partner have stopped' },
  { note: 'family', what: 'compound split', quote: 'His mother visits every Sunday and helps with child care', expect: 'His mother visits every Sunday and helps with childcare' },
  { note: 'family', what: 'typo', quote: 'Client accepted the referal to the parenting group and will attend the first session next week', expect: 'Client accepted the referral to the parenting group and will attend the first session next week' },
  { note: 'barriers', what: 'contraction', quote: "Client doesn't have a driver's license and relies on the bus to get to work", expect: "Client does not have a driver's license and relies on the bus to get to work" },
  { note: 'barriers', what: 'curly apostrophe', quote: 'Client does not have a driver’s license and relies on the bus to get to work', expect: "Client does not have a driver's license and relies on the bus to get to work" },
  { note: 'barriers', what: 'case', quote: 'she has never missed a shift since starting in january', expect: 'She has never missed a shift since starting in January' },
  { note: 'barriers', what: 'hyphen added', quote: 'She denies any drug-use in the past year', expect: 'She denies any drug use in the past year' },
  { note: 'barriers', what: 'compound split', quote: 'Her manager said she is unable to work weekends because of child care', expect: 'Her manager said she is unable to work weekends because of childcare' },
  { note: 'mood', what: 'contraction', quote: "Client stated that his mood has been stable and he's no longer having panic attacks", expect: 'Client stated that his mood has been stable and he is no longer having panic attacks' },
  { note: 'mood', what: 'hyphen added', quote: 'He completed the anger-management course in February', expect: 'He completed the anger management course in February' },
  { note: 'mood', what: 'typo', quote: 'He completed the anger managment course in February', expect: 'He completed the anger management course in February' },
  { note: 'mood', what: '"that" dropped', quote: 'His wife reported he has been more patient with the kids', expect: 'His wife reported that he has been more patient with the kids' },
  { note: 'mood', what: 'compound joined', quote: 'He is looking for a fulltime job in construction and has applied to three companies', expect: 'He is looking for a full-time job in construction and has applied to three companies' },
  { note: 'mood', what: 'typo', quote: 'He is looking for a full-time job in constrution and has applied to three companies', expect: 'He is looking for a full-time job in construction and has applied to three companies' },
];
