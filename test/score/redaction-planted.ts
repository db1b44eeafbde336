/**
 * Hand-written case notes with planted personal data, for measuring redaction.
 *
 * Every note names its client (with some of DOB, phone, e-mail, SSN and address, given in
 * `pii` as the programme would know them) and plants other people's data that no one gives
 * redact(): names of children, relatives, landlords, workers; nicknames; street names without
 * a house number; employers. `client` lists the client's values as they are written in the
 * text; `planted` the other people's. All people, places of work and numbers are invented.
 */
import type { NotePii } from '../../src/score/types.ts';

export type PlantedKind = 'name' | 'nickname' | 'street' | 'employer';

export interface PlantedNote {
  text: string;
  pii: NotePii;
  /** the client's own values as written in the text */
  client: string[];
  planted: { kind: PlantedKind; value: string }[];
}

interface Plants {
  names?: string[];
  nicknames?: string[];
  streets?: string[];
  employers?: string[];
}

function note(text: string, pii: NotePii, client: string[], p: Plants): PlantedNote {
  const planted = [
    ...(p.names ?? []).map((value) => ({ kind: 'name' as const, value })),
    ...(p.nicknames ?? []).map((value) => ({ kind: 'nickname' as const, value })),
    ...(p.streets ?? []).map((value) => ({ kind: 'street' as const, value })),
    ...(p.employers ?? []).map((value) => ({ kind: 'employer' as const, value })),
  ];
  return { text, pii, client, planted };
}

export const PLANTED_NOTES: PlantedNote[] = [
  note(
    'Home visit with Dana Whitfield (DOB 03/14/1988). Her son Tyler, 9, was home sick from school. Dana\'s boyfriend, Marcus, left for his shift at Kroger before I arrived. Tyler has missed four days this month. She can be reached at (555) 013-4477.',
    { names: ['Dana', 'Whitfield'], dob: '1988-03-14', phone: '(555) 013-4477' },
    ['Dana', 'Whitfield', '03/14/1988', '(555) 013-4477'],
    { names: ['Tyler', 'Marcus'], employers: ['Kroger'] },
  ),
  note(
    'Luis Ortega called from 555-014-2290. He started at Smith & Sons Plumbing last week and likes his foreman, Dale Hutchins. His sister Marisol is watching the kids after school. Sent forms to lortega88@example.com.',
    { names: ['Luis', 'Ortega'], phone: '555-014-2290', email: 'lortega88@example.com' },
    ['Luis', 'Ortega', '555-014-2290', 'lortega88@example.com'],
    { names: ['Dale', 'Hutchins', 'Marisol'], employers: ['Smith & Sons Plumbing'] },
  ),
  note(
    'Keandra Moss brought her SSN card (912-55-0413) for the housing application. She lives at 48 Birch Lane, Apt 2 but wants to move because her neighbor, Mr. Okafor, has been threatening her. Landlord Ms. Delgado has not fixed the heat.',
    { names: ['Keandra', 'Moss'], nationalId: '912-55-0413', address: '48 Birch Lane, Apt 2' },
    ['Keandra', 'Moss', '912-55-0413', '48 Birch Lane'],
    { names: ['Okafor', 'Delgado'] },
  ),
  note(
    'Ray Benson (born Nov 2, 1975) is employed at the Riverside Diner as a line cook. He says his daughter Kayla and grandson Jaxon moved in with him on Kensington Ave. Emailed rbenson@example.net the budget worksheet.',
    { names: ['Ray', 'Benson'], dob: '1975-11-02', email: 'rbenson@example.net' },
    ['Ray', 'Benson', 'Nov 2, 1975', 'rbenson@example.net'],
    { names: ['Kayla', 'Jaxon'], streets: ['Kensington Ave'], employers: ['Riverside Diner'] },
  ),
  note(
    'Tameka Hollis reports her ex, Darnell, came by the apartment at 1301 Grove Street again. Her cousin Shay stayed overnight for support. Safety plan reviewed; she will call 555.017.8820 back if Darnell returns.',
    { names: ['Tameka', 'Hollis'], phone: '555.017.8820', address: '1301 Grove Street' },
    ['Tameka', 'Hollis', '1301 Grove Street', '555.017.8820'],
    { names: ['Darnell', 'Shay'] },
  ),
  note(
    'Owen Pruitt, DOB 1992-07-21, SSN 123-09-4567. Owen goes by \'Bird\' on the street. He has been staying with a friend named Rico off Maple Street. Wants help getting his job back at Acme Logistics.',
    { names: ['Owen', 'Pruitt'], dob: '1992-07-21', nationalId: '123-09-4567' },
    ['Owen', 'Pruitt', '1992-07-21', '123-09-4567'],
    { names: ['Rico'], nicknames: ['Bird'], streets: ['Maple Street'], employers: ['Acme Logistics'] },
  ),
  note(
    'Grace Lindqvist met with case manager Jordan and me. Her mother, Evelyn Lindqvist, will watch the baby while Grace works at Walgreens. Contact: grace.l@example.org, 555-010-3344.',
    { names: ['Grace', 'Lindqvist'], email: 'grace.l@example.org', phone: '555-010-3344' },
    ['Grace', 'Lindqvist', 'grace.l@example.org', '555-010-3344'],
    { names: ['Jordan', 'Evelyn'], employers: ['Walgreens'] },
  ),
  note(
    'Marcus Reyes (1/30/1990) moved from 77 Harbor Road to his aunt\'s place near Lexington Avenue. His aunt Carmen Ruiz is on the lease. He was let go from Harbor Freight in June.',
    { names: ['Marcus', 'Reyes'], dob: '1990-01-30', address: '77 Harbor Road' },
    ['Marcus', 'Reyes', '1/30/1990', '77 Harbor Road'],
    { names: ['Carmen', 'Ruiz'], streets: ['Lexington Avenue'], employers: ['Harbor Freight'] },
  ),
  note(
    'Shanice Porter called (555) 019-6621 to say her kids, Jalen and Imani, are back with her. Their father Terrence pays support irregularly. Jalen is in a reading program now. She needs a copy of her SSN card, 555-12-9087.',
    { names: ['Shanice', 'Porter'], phone: '(555) 019-6621', nationalId: '555-12-9087' },
    ['Shanice', 'Porter', '(555) 019-6621', '555-12-9087'],
    { names: ['Jalen', 'Imani', 'Terrence'] },
  ),
  note(
    'Edwin Salas, born 09/09/1969, now drives for Metro Transit. His wife Lucia had surgery at the county hospital; their neighbor Mrs. Abernathy has been bringing meals. E-mail on file: esalas@example.com.',
    { names: ['Edwin', 'Salas'], email: 'esalas@example.com', dob: '1969-09-09' },
    ['Edwin', 'Salas', '09/09/1969', 'esalas@example.com'],
    { names: ['Lucia', 'Abernathy'], employers: ['Metro Transit'] },
  ),
  note(
    'Holly Brandt was at 9 Cedar Court when I visited. Her partner, Wes, works nights at the Tyson plant. Her daughter Paisley starts kindergarten on Monday. Call 555-016-0021 before visiting.',
    { names: ['Holly', 'Brandt'], address: '9 Cedar Court', phone: '555-016-0021' },
    ['Holly', 'Brandt', '9 Cedar Court', '555-016-0021'],
    { names: ['Wes', 'Paisley'], employers: ['Tyson'] },
  ),
  note(
    'Andre Fulton (SSN 078-05-1120) says his PO, Officer Brennan, approved the move. Andre\'s brother Malik can give him rides to work at the Amazon warehouse. His girlfriend Tasha is pregnant. Reply to afulton@example.net.',
    { names: ['Andre', 'Fulton'], nationalId: '078-05-1120', email: 'afulton@example.net' },
    ['Andre', 'Fulton', '078-05-1120', 'afulton@example.net'],
    { names: ['Brennan', 'Malik', 'Tasha'], employers: ['Amazon'] },
  ),
  note(
    'Priya Nair (DOB 12/5/1995) reported that her landlord Mr Feldman entered without notice. She works part time for Sunrise Senior Living and her roommate, Anjali, covers the rest of the rent. Phone 555-011-7788.',
    { names: ['Priya', 'Nair'], dob: '1995-12-05', phone: '555-011-7788' },
    ['Priya', 'Nair', '12/5/1995', '555-011-7788'],
    { names: ['Feldman', 'Anjali'], employers: ['Sunrise Senior Living'] },
  ),
  note(
    'Bobby Tran is behind on rent at 220 Oak Street, Unit 5. His mom, Linh, helps with groceries. He hopes to get hired at Costco after the interview Thursday. Sent the list to btran@example.com.',
    { names: ['Bobby', 'Tran'], address: '220 Oak Street, Unit 5', email: 'btran@example.com' },
    ['Bobby', 'Tran', '220 Oak Street', 'btran@example.com'],
    { names: ['Linh'], employers: ['Costco'] },
  ),
  note(
    'Faith Odum (04/17/1983) says her grandmother, Nana Ruth, raised her. Faith\'s daughter Destiny was suspended. Faith lost her job at the warehouse in March. Callback 555-012-3030.',
    { names: ['Faith', 'Odum'], phone: '555-012-3030', dob: '1983-04-17' },
    ['Faith', 'Odum', '04/17/1983', '555-012-3030'],
    { names: ['Ruth', 'Destiny'] },
  ),
  note(
    'Terrell Gaines (SSN 401-22-7788) was evicted from 15 Willow Way. He is couch-surfing with his buddy \'Smoke\' near Fulton Street. His employer, Quick Mart, let him keep his shifts.',
    { names: ['Terrell', 'Gaines'], nationalId: '401-22-7788', address: '15 Willow Way' },
    ['Terrell', 'Gaines', '401-22-7788', '15 Willow Way'],
    { nicknames: ['Smoke'], streets: ['Fulton Street'], employers: ['Quick Mart'] },
  ),
  note(
    'Rosa Medina and her husband Ernesto came in together. Ernesto was laid off from Valley Packing in April. Their son Mateo, 14, is working weekends at his uncle\'s taqueria. Contact rosa.medina@example.org or 555-018-4545.',
    { names: ['Rosa', 'Medina'], email: 'rosa.medina@example.org', phone: '555-018-4545' },
    ['Rosa', 'Medina', 'rosa.medina@example.org', '555-018-4545'],
    { names: ['Ernesto', 'Mateo'], employers: ['Valley Packing'] },
  ),
  note(
    'Jamal Whitaker, DOB 6/25/2001, lives at 3 Pine Terrace with his grandmother. His probation officer, Ms. Kowalski, wants proof of employment. He was hired by Greenway Landscaping on Tuesday.',
    { names: ['Jamal', 'Whitaker'], dob: '2001-06-25', address: '3 Pine Terrace' },
    ['Jamal', 'Whitaker', '6/25/2001', '3 Pine Terrace'],
    { names: ['Kowalski'], employers: ['Greenway Landscaping'] },
  ),
  note(
    'Lorraine Fisk\'s sister Bernadette drove her to the clinic. Lorraine\'s caseworker at DCFS, Keith Amos, will call 555-015-9090 tomorrow. SSN verified: 219-09-9999.',
    { names: ['Lorraine', 'Fisk'], phone: '555-015-9090', nationalId: '219-09-9999' },
    ['Lorraine', 'Fisk', '555-015-9090', '219-09-9999'],
    { names: ['Bernadette', 'Keith', 'Amos'] },
  ),
  note(
    'Ahmed Hassan (born 1987-02-28) has a new position at Hilton Garden Inn. His wife Amina and their twins Yusuf and Zara are settled. They moved to the apartment off Delmar Boulevard. Updated email: ahassan@example.com.',
    { names: ['Ahmed', 'Hassan'], email: 'ahassan@example.com', dob: '1987-02-28' },
    ['Ahmed', 'Hassan', '1987-02-28', 'ahassan@example.com'],
    { names: ['Amina', 'Yusuf', 'Zara'], streets: ['Delmar Boulevard'], employers: ['Hilton Garden Inn'] },
  ),
  note(
    'Misty Carr at 610 Elm Ave says her ex-husband Travis has not paid child support. Their son Cody goes by \'CJ\'. Misty works at Dollar General on Route 9. Her number is (555) 014-1212.',
    { names: ['Misty', 'Carr'], phone: '(555) 014-1212', address: '610 Elm Ave' },
    ['Misty', 'Carr', '610 Elm Ave', '(555) 014-1212'],
    { names: ['Travis', 'Cody'], nicknames: ['CJ'], employers: ['Dollar General'] },
  ),
  note(
    'Vernon Little, 08/08/1958, SSN 332-45-1010. His daughter-in-law Stacy checks on him daily. Vernon retired from the Ford plant and lives near Greenfield Road. Dr. Abiodun adjusted his medications.',
    { names: ['Vernon', 'Little'], dob: '1958-08-08', nationalId: '332-45-1010' },
    ['Vernon', 'Little', '08/08/1958', '332-45-1010'],
    { names: ['Stacy', 'Abiodun'], streets: ['Greenfield Road'], employers: ['Ford'] },
  ),
  note(
    'Kiara Dunn\'s childcare fell through: her babysitter, Miss Loretta, moved away. Kiara\'s manager at Chick-fil-A, Brandon, offered her morning shifts. She can be reached at 555-013-6060 or kiara.dunn@example.com.',
    { names: ['Kiara', 'Dunn'], email: 'kiara.dunn@example.com', phone: '555-013-6060' },
    ['Kiara', 'Dunn', '555-013-6060', 'kiara.dunn@example.com'],
    { names: ['Loretta', 'Brandon'], employers: ['Chick-fil-A'] },
  ),
  note(
    'Hector Villanueva (10/10/1979) has lived at 88 Sunset Drive for six years. His landlady, Mrs. Papadopoulos, raised the rent. His son Diego works at AutoZone and helps out. Hector\'s friend Tomas may have a room near Wabash Avenue.',
    { names: ['Hector', 'Villanueva'], address: '88 Sunset Drive', dob: '1979-10-10' },
    ['Hector', 'Villanueva', '10/10/1979', '88 Sunset Drive'],
    { names: ['Papadopoulos', 'Diego', 'Tomas'], streets: ['Wabash Avenue'], employers: ['AutoZone'] },
  ),
  note(
    'Brianna Cole brought her son Aiden (4) and daughter Nevaeh (2) to the appointment. Their father, DeShawn Price, is in county jail. Brianna works for Bright Horizons. SSN on file: 654-32-1098; phone 555-017-2323.',
    { names: ['Brianna', 'Cole'], phone: '555-017-2323', nationalId: '654-32-1098' },
    ['Brianna', 'Cole', '654-32-1098', '555-017-2323'],
    { names: ['Aiden', 'Nevaeh', 'DeShawn', 'Price'], employers: ['Bright Horizons'] },
  ),
  note(
    'Wendell Hayes lives at 5 Carver Street. His roommate Gus keeps the place clean. Wendell volunteers at the food pantry and is applying at Home Depot. His sponsor, Leonard, calls him every morning. Email whayes@example.org.',
    { names: ['Wendell', 'Hayes'], email: 'whayes@example.org', address: '5 Carver Street' },
    ['Wendell', 'Hayes', '5 Carver Street', 'whayes@example.org'],
    { names: ['Gus', 'Leonard'], employers: ['Home Depot'] },
  ),
  note(
    'Yesenia Rojas (DOB 5/19/1998) said her stepfather Ramon would not let her back in the house. She is staying with her friend Gabriela on Ashland Ave. She used to work at Target but quit. Phone 555-010-7171.',
    { names: ['Yesenia', 'Rojas'], dob: '1998-05-19', phone: '555-010-7171' },
    ['Yesenia', 'Rojas', '5/19/1998', '555-010-7171'],
    { names: ['Ramon', 'Gabriela'], streets: ['Ashland Ave'], employers: ['Target'] },
  ),
  note(
    'Colin Murphy (SSN 287-65-4321) attended court with his public defender, Ms. Achebe. Judge Whitmore continued the case. Colin\'s girlfriend, Brooke, was there too. Documents emailed to cmurphy@example.com.',
    { names: ['Colin', 'Murphy'], nationalId: '287-65-4321', email: 'cmurphy@example.com' },
    ['Colin', 'Murphy', '287-65-4321', 'cmurphy@example.com'],
    { names: ['Achebe', 'Whitmore', 'Brooke'] },
  ),
  note(
    'Tonya Reed at 402 Magnolia Street, Apt 1C. She is employed by Magnolia Home Care as an aide. Her teenage son, Devonte, was picked up by police near Broad Street. Her mom Gloria will come stay for a week. Phone 555-016-5656.',
    { names: ['Tonya', 'Reed'], address: '402 Magnolia Street, Apt 1C', phone: '555-016-5656' },
    ['Tonya', 'Reed', '402 Magnolia Street', '555-016-5656'],
    { names: ['Devonte', 'Gloria'], streets: ['Broad Street'], employers: ['Magnolia Home Care'] },
  ),
  note(
    'Nathan Greer, born December 24, 1985, says his ex, Courtney, has the kids this week. He delivers for FedEx and his route runs along Riverside Parkway. His father Dwight has dementia. Email ngreer@example.net.',
    { names: ['Nathan', 'Greer'], dob: '1985-12-24', email: 'ngreer@example.net' },
    ['Nathan', 'Greer', 'December 24, 1985', 'ngreer@example.net'],
    { names: ['Courtney', 'Dwight'], streets: ['Riverside Parkway'], employers: ['FedEx'] },
  ),
  note(
    'Maribel Soto and her daughter Xiomara came to the office. Xiomara\'s father, Julio, was deported last year. Maribel cleans houses for a family on Prospect Avenue. SSN 610-10-2020, cell 555-019-1111.',
    { names: ['Maribel', 'Soto'], phone: '555-019-1111', nationalId: '610-10-2020' },
    ['Maribel', 'Soto', '610-10-2020', '555-019-1111'],
    { names: ['Xiomara', 'Julio'], streets: ['Prospect Avenue'] },
  ),
  note(
    'Dwayne Kessler (03/03/1972) at 19 Hawthorne Road. His brother-in-law Phil offered him work at Tri-County Auto Body. Dwayne\'s AA sponsor is a man named Hollis. Dwayne\'s neighbor Mrs. Greenberg reported him missing on Friday.',
    { names: ['Dwayne', 'Kessler'], address: '19 Hawthorne Road', dob: '1972-03-03' },
    ['Dwayne', 'Kessler', '03/03/1972', '19 Hawthorne Road'],
    { names: ['Phil', 'Hollis', 'Greenberg'], employers: ['Tri-County Auto Body'] },
  ),
  note(
    'Latoya Banks reports her son Jermaine is doing better at school. Jermaine\'s teacher, Mr. Lindgren, sent a good report. Latoya got a raise at Piedmont Hospital. Contact (555) 012-8989 or latoya.banks@example.com.',
    { names: ['Latoya', 'Banks'], email: 'latoya.banks@example.com', phone: '(555) 012-8989' },
    ['Latoya', 'Banks', '(555) 012-8989', 'latoya.banks@example.com'],
    { names: ['Jermaine', 'Lindgren'], employers: ['Piedmont Hospital'] },
  ),
  note(
    'Sergei Volkov, DOB 1980-06-11, SSN 500-60-7000. He works for Eastside Movers and lives in a room on Halsted Street. His wife Olga stayed in Ohio with their son Nikolai.',
    { names: ['Sergei', 'Volkov'], dob: '1980-06-11', nationalId: '500-60-7000' },
    ['Sergei', 'Volkov', '1980-06-11', '500-60-7000'],
    { names: ['Olga', 'Nikolai'], streets: ['Halsted Street'], employers: ['Eastside Movers'] },
  ),
  note(
    'Jasmine Hart (7 Spruce Court) says her boyfriend, Keon, punched a hole in the wall. Her best friend Aaliyah took photos. Jasmine works the front desk at Planet Fitness. Call 555-011-4040, safe to leave a message.',
    { names: ['Jasmine', 'Hart'], phone: '555-011-4040', address: '7 Spruce Court' },
    ['Jasmine', 'Hart', '7 Spruce Court', '555-011-4040'],
    { names: ['Keon', 'Aaliyah'], employers: ['Planet Fitness'] },
  ),
  note(
    'Gerald Pike (1/15/1961) asked for help with his electric bill. His daughter Renee lives near Summit Avenue and visits on weekends. Gerald worked at Boeing for twenty years. Statement sent to gpike@example.org.',
    { names: ['Gerald', 'Pike'], email: 'gpike@example.org', dob: '1961-01-15' },
    ['Gerald', 'Pike', '1/15/1961', 'gpike@example.org'],
    { names: ['Renee'], streets: ['Summit Avenue'], employers: ['Boeing'] },
  ),
  note(
    'Amber Lowry relapsed over the weekend, per her sister Crystal. Amber\'s counselor, Dr. Nakamura, increased sessions. Amber was fired from Waffle House on Monday. SSN 222-33-4444; phone 555-018-7272.',
    { names: ['Amber', 'Lowry'], phone: '555-018-7272', nationalId: '222-33-4444' },
    ['Amber', 'Lowry', '222-33-4444', '555-018-7272'],
    { names: ['Crystal', 'Nakamura'], employers: ['Waffle House'] },
  ),
  note(
    'Omar Farouk lives at 31 Linden Street with his uncle Samir. He drives for Uber in the evenings. His caseworker from the resettlement agency, Ms. Haddad, helped with the lease. Email ofarouk@example.com.',
    { names: ['Omar', 'Farouk'], address: '31 Linden Street', email: 'ofarouk@example.com' },
    ['Omar', 'Farouk', '31 Linden Street', 'ofarouk@example.com'],
    { names: ['Samir', 'Haddad'], employers: ['Uber'] },
  ),
  note(
    'Becky Yoder (born 09/30/1993) has three kids: Hunter, Kaylee and Bryce. Kaylee\'s dad, Jesse Kline, has supervised visits. Becky started at the Dairy Queen on Main Street. Reach her at 555-014-0909.',
    { names: ['Becky', 'Yoder'], dob: '1993-09-30', phone: '555-014-0909' },
    ['Becky', 'Yoder', '09/30/1993', '555-014-0909'],
    { names: ['Hunter', 'Kaylee', 'Bryce', 'Jesse', 'Kline'], streets: ['Main Street'], employers: ['Dairy Queen'] },
  ),
  note(
    'Curtis Mayfield was released on Tuesday and is back at 1200 Lakeview Boulevard. His parole officer is Agent Dominguez. His mother Bernice is his emergency contact. He has an interview at Cintas next week. SSN 345-67-8901.',
    { names: ['Curtis', 'Mayfield'], nationalId: '345-67-8901', address: '1200 Lakeview Boulevard' },
    ['Curtis', 'Mayfield', '1200 Lakeview Boulevard', '345-67-8901'],
    { names: ['Dominguez', 'Bernice'], employers: ['Cintas'] },
  ),
  note(
    'Hannah Kowal\'s fiancé, Derek, just got a job at Menards. Hannah is due in May. Her midwife, Joanne, recommended WIC. They rent from a man everyone calls \'Big Lou\' on Ridge Road. Contact hkowal@example.com / 555-015-3131.',
    { names: ['Hannah', 'Kowal'], email: 'hkowal@example.com', phone: '555-015-3131' },
    ['Hannah', 'Kowal', 'hkowal@example.com', '555-015-3131'],
    { names: ['Derek', 'Joanne'], nicknames: ['Big Lou'], streets: ['Ridge Road'], employers: ['Menards'] },
  ),
  note(
    'Darius Wynn (DOB 02/14/1999, SSN 601-23-4567) said his cousin Tre got him on at the UPS hub. He sleeps at his grandma\'s on Cottage Grove Avenue. His little sister Amani needs a school uniform.',
    { names: ['Darius', 'Wynn'], dob: '1999-02-14', nationalId: '601-23-4567' },
    ['Darius', 'Wynn', '02/14/1999', '601-23-4567'],
    { names: ['Tre', 'Amani'], streets: ['Cottage Grove Avenue'], employers: ['UPS'] },
  ),
  note(
    'Noreen Quill, 58 Chestnut Street, phone 555-012-4646. Her adult son Kevin moved back home after losing his job at Sears. Kevin\'s girlfriend Alexis is staying there too. Noreen\'s landlord, Frank Moretti, wants them out.',
    { names: ['Noreen', 'Quill'], address: '58 Chestnut Street', phone: '555-012-4646' },
    ['Noreen', 'Quill', '58 Chestnut Street', '555-012-4646'],
    { names: ['Kevin', 'Alexis', 'Frank', 'Moretti'], employers: ['Sears'] },
  ),
  note(
    'Isaiah Boone, 11/11/2003, aged out of foster care. His former foster mom, Mrs. Lattimore, still checks in. He works at Taco Bell on Western Avenue and rents a room from a coworker, Javier. Sent the voucher info to iboone@example.org.',
    { names: ['Isaiah', 'Boone'], email: 'iboone@example.org', dob: '2003-11-11' },
    ['Isaiah', 'Boone', '11/11/2003', 'iboone@example.org'],
    { names: ['Lattimore', 'Javier'], streets: ['Western Avenue'], employers: ['Taco Bell'] },
  ),
  note(
    'Pamela Rusk\'s husband Glenn had a stroke. Their daughter Michelle flew in from Denver. Pamela took leave from Meridian Bank to care for him. Home health nurse Angela visits twice a week. SSN 777-12-3434. Cell 555-016-8181.',
    { names: ['Pamela', 'Rusk'], phone: '555-016-8181', nationalId: '777-12-3434' },
    ['Pamela', 'Rusk', '777-12-3434', '555-016-8181'],
    { names: ['Glenn', 'Michelle', 'Angela'], employers: ['Meridian Bank'] },
  ),
  note(
    'Trevor Olsen (4/4/1991) at 14 Fairmount Avenue. Trevor\'s partner Jess is a manager at Aldi and covers most of the bills. Trevor\'s friend, who goes by \'Tank\', has been selling him pills. His dad Roger lives near Oak Hill Drive.',
    { names: ['Trevor', 'Olsen'], address: '14 Fairmount Avenue', dob: '1991-04-04' },
    ['Trevor', 'Olsen', '4/4/1991', '14 Fairmount Avenue'],
    { names: ['Jess', 'Roger'], nicknames: ['Tank'], streets: ['Oak Hill Drive'], employers: ['Aldi'] },
  ),
  note(
    'Celeste Navarro\'s children, Sofia and Adrian, are enrolled at Head Start. Celeste is employed with Banner Health in billing. Her mother-in-law Pilar watches the kids. Email cnavarro@example.com, phone 555-017-0000.',
    { names: ['Celeste', 'Navarro'], email: 'cnavarro@example.com', phone: '555-017-0000' },
    ['Celeste', 'Navarro', 'cnavarro@example.com', '555-017-0000'],
    { names: ['Sofia', 'Adrian', 'Pilar'], employers: ['Banner Health'] },
  ),
  note(
    'Russell Tate, DOB 07/07/1966, SSN 188-88-1888. Russell sleeps in his truck behind the church on Division Street. His ex-wife Donna has his medical records. An outreach worker named Kenji found him on Tuesday.',
    { names: ['Russell', 'Tate'], nationalId: '188-88-1888', dob: '1966-07-07' },
    ['Russell', 'Tate', '07/07/1966', '188-88-1888'],
    { names: ['Donna', 'Kenji'], streets: ['Division Street'] },
  ),
  note(
    'Alicia Benoit at 902 Bayou Road, (555) 019-3838. Her daughter Jolie has asthma. Alicia\'s boss at Winn-Dixie, Mr. Thibodeaux, gave her Fridays off. Her boyfriend, Luc, moved out.',
    { names: ['Alicia', 'Benoit'], address: '902 Bayou Road', phone: '(555) 019-3838' },
    ['Alicia', 'Benoit', '902 Bayou Road', '(555) 019-3838'],
    { names: ['Jolie', 'Thibodeaux', 'Luc'], employers: ['Winn-Dixie'] },
  ),
  note(
    'Kofi Mensah (DOB 1984-10-01) is a CNA at Brookdale Senior Living. His wife Abena and son Kwame joined him from Accra in March. They live off Hamilton Street. Email kmensah@example.org.',
    { names: ['Kofi', 'Mensah'], email: 'kmensah@example.org', dob: '1984-10-01' },
    ['Kofi', 'Mensah', '1984-10-01', 'kmensah@example.org'],
    { names: ['Abena', 'Kwame'], streets: ['Hamilton Street'], employers: ['Brookdale Senior Living'] },
  ),
  note(
    'Stacey Pruett said her oldest, Brayden, was expelled. Brayden\'s friend Colton is a bad influence, according to Stacey. She quit her job with Sparkle Cleaning last month. SSN 313-13-1313; call 555-013-2121.',
    { names: ['Stacey', 'Pruett'], phone: '555-013-2121', nationalId: '313-13-1313' },
    ['Stacey', 'Pruett', '313-13-1313', '555-013-2121'],
    { names: ['Brayden', 'Colton'], employers: ['Sparkle Cleaning'] },
  ),
  note(
    'Abdul Rahimi at 66 Juniper Way. His interpreter, Farid, joined by phone. Abdul\'s sister Laila lives near Sheridan Road and helps with appointments. He was hired at Pepsi bottling. Email arahimi@example.com.',
    { names: ['Abdul', 'Rahimi'], address: '66 Juniper Way', email: 'arahimi@example.com' },
    ['Abdul', 'Rahimi', '66 Juniper Way', 'arahimi@example.com'],
    { names: ['Farid', 'Laila'], streets: ['Sheridan Road'], employers: ['Pepsi'] },
  ),
  note(
    'Monique Fontaine (08/19/1989) says her landlord, a man named Carl Beasley, refuses to return the deposit. Monique works at Lowe\'s. Her son Elijah\'s father, Tyrone, is not involved. Phone 555-018-1919.',
    { names: ['Monique', 'Fontaine'], dob: '1989-08-19', phone: '555-018-1919' },
    ['Monique', 'Fontaine', '08/19/1989', '555-018-1919'],
    { names: ['Carl', 'Beasley', 'Elijah', 'Tyrone'], employers: ['Lowe\'s'] },
  ),
  note(
    'Danny Whelan (SSN 424-24-2424) was kicked out by his dad, Sean. He\'s staying with his friend Mikey on Belmont Avenue. Danny washes dishes at Lucky\'s Tavern. Email dwhelan@example.net.',
    { names: ['Danny', 'Whelan'], nationalId: '424-24-2424', email: 'dwhelan@example.net' },
    ['Danny', 'Whelan', '424-24-2424', 'dwhelan@example.net'],
    { names: ['Sean', 'Mikey'], streets: ['Belmont Avenue'], employers: ['Lucky\'s Tavern'] },
  ),
  note(
    'Esperanza Luna, 39 Mission Street, 555-010-5858. Her grandson Angel lives with her since his mother, Veronica, went to rehab. Esperanza does alterations for Garcia Tailoring. Angel\'s teacher Ms. Whitcomb called about absences.',
    { names: ['Esperanza', 'Luna'], phone: '555-010-5858', address: '39 Mission Street' },
    ['Esperanza', 'Luna', '39 Mission Street', '555-010-5858'],
    { names: ['Angel', 'Veronica', 'Whitcomb'], employers: ['Garcia Tailoring'] },
  ),
  note(
    'Bryce Holloway, born 12/12/1997. Bryce\'s girlfriend Kendra is expecting in July. He got a second job at the Shell station on Pulaski Road. His older brother, Marcus \'Bones\' Holloway, is incarcerated. Email bholloway@example.com.',
    { names: ['Bryce', 'Holloway'], email: 'bholloway@example.com', dob: '1997-12-12' },
    ['Bryce', 'Holloway', '12/12/1997', 'bholloway@example.com'],
    { names: ['Kendra', 'Marcus'], nicknames: ['Bones'], streets: ['Pulaski Road'], employers: ['Shell'] },
  ),
  note(
    'Yvonne Marsh\'s home aide, Precious, quit without notice. Yvonne\'s son Clarence lives out of state. Her neighbor across the hall, Mr. Ngata, checks on her. Her late husband worked at the Ford plant on Michigan Avenue. SSN 909-09-0909, phone 555-015-7777.',
    { names: ['Yvonne', 'Marsh'], phone: '555-015-7777', nationalId: '909-09-0909' },
    ['Yvonne', 'Marsh', '909-09-0909', '555-015-7777'],
    { names: ['Precious', 'Clarence', 'Ngata'], streets: ['Michigan Avenue'], employers: ['Ford'] },
  ),
  note(
    'Tyrese Goodwin, DOB 3/21/2000, 750 Colfax Avenue, Apt 12. He works for DoorDash and Instacart. His daughter Journee is two. Journee\'s mother, Ashanti, filed for custody; her lawyer is Ms. Petrakis.',
    { names: ['Tyrese', 'Goodwin'], dob: '2000-03-21', address: '750 Colfax Avenue, Apt 12' },
    ['Tyrese', 'Goodwin', '3/21/2000', '750 Colfax Avenue'],
    { names: ['Journee', 'Ashanti', 'Petrakis'], employers: ['DoorDash', 'Instacart'] },
  ),
  note(
    'Lena Ostrowski came in with her daughter, Zuzanna, who translated. Zuzanna\'s husband Piotr works at Mueller Industries and helps with rent. Lena lives with them near Archer Avenue. Contact lostrowski@example.org or 555-011-9292.',
    { names: ['Lena', 'Ostrowski'], email: 'lostrowski@example.org', phone: '555-011-9292' },
    ['Lena', 'Ostrowski', 'lostrowski@example.org', '555-011-9292'],
    { names: ['Zuzanna', 'Piotr'], streets: ['Archer Avenue'], employers: ['Mueller Industries'] },
  ),
  note(
    'Reggie Fontenot (05/05/1977, SSN 707-07-0707) said his buddy Dewayne, who everyone calls \'Peanut\', lets him sleep on the couch. Reggie did day labor for Labor Ready until his back gave out. His case manager at the VA is Ms. Okonkwo.',
    { names: ['Reggie', 'Fontenot'], nationalId: '707-07-0707', dob: '1977-05-05' },
    ['Reggie', 'Fontenot', '05/05/1977', '707-07-0707'],
    { names: ['Dewayne', 'Okonkwo'], nicknames: ['Peanut'], employers: ['Labor Ready'] },
  ),
  note(
    'Chantal Diallo at 28 Garfield Place. Her son Moussa, 16, works weekends at Foot Locker. Her sister Aminata visits from Paris in August. Chantal\'s clinic doctor, Dr. Friedman, referred her to physical therapy. Phone 555-014-6464.',
    { names: ['Chantal', 'Diallo'], phone: '555-014-6464', address: '28 Garfield Place' },
    ['Chantal', 'Diallo', '28 Garfield Place', '555-014-6464'],
    { names: ['Moussa', 'Aminata', 'Friedman'], employers: ['Foot Locker'] },
  ),
  note(
    'Wes Calloway (born October 30, 1986) says his wife Kristen kicked him out. He is staying at his brother Clint\'s house off Fairview Road. Wes was employed at Nucor Steel until the layoffs. Email wcalloway@example.com.',
    { names: ['Wes', 'Calloway'], email: 'wcalloway@example.com', dob: '1986-10-30' },
    ['Wes', 'Calloway', 'October 30, 1986', 'wcalloway@example.com'],
    { names: ['Kristen', 'Clint'], streets: ['Fairview Road'], employers: ['Nucor Steel'] },
  ),
  note(
    'Ana Castillo reports her ex, Victor Mendez, violated the protective order twice. Her daughter Valeria saw it happen. Ana works at Walmart on Irving Boulevard. Her advocate, Gloria from the DV shelter, will attend court with her. SSN 321-54-9876; phone 555-016-2727.',
    { names: ['Ana', 'Castillo'], phone: '555-016-2727', nationalId: '321-54-9876' },
    ['Ana', 'Castillo', '321-54-9876', '555-016-2727'],
    { names: ['Victor', 'Mendez', 'Valeria', 'Gloria'], streets: ['Irving Boulevard'], employers: ['Walmart'] },
  ),
  note(
    'Leon Burke, 5 Hollow Lane. Leon\'s therapist, Rebecca, says he is making progress. His granddaughter Brooklyn visits on Sundays. Leon\'s old friend \'Doc\' from the Army helps with the yard. Email lburke@example.org.',
    { names: ['Leon', 'Burke'], address: '5 Hollow Lane', email: 'lburke@example.org' },
    ['Leon', 'Burke', '5 Hollow Lane', 'lburke@example.org'],
    { names: ['Rebecca', 'Brooklyn'], nicknames: ['Doc'] },
  ),
  note(
    'Shonda Pierce (DOB 2/2/1982, phone 555-019-5050) was seen with her son Marquise and his girlfriend Tiana. Marquise just started a job at Popeyes. Shonda\'s landlord, Mr. Goldberg, agreed to a payment plan.',
    { names: ['Shonda', 'Pierce'], dob: '1982-02-02', phone: '555-019-5050' },
    ['Shonda', 'Pierce', '2/2/1982', '555-019-5050'],
    { names: ['Marquise', 'Tiana', 'Goldberg'], employers: ['Popeyes'] },
  ),
];

/**
 * Phrases that carry the evidence a model needs and must survive redaction word for word: common
 * words that are also given names, months, generic places of work, programmes and organisations.
 * Each is redacted inside a note that has a client and other people in it.
 */
export const EVIDENCE_PHRASES: string[] = [
  'lost her job at the warehouse',
  'May rent was paid',
  'Will attend the class',
  'works at a warehouse',
  'shops at the grocery store',
  'Hope is growing',
  'Faith community',
  'Grace period',
  'Bill for electricity is overdue',
  'Mark the court date',
  'Rose early',
  'Joy in parenting',
  'Court date is set for May 14',
  'will start the job in May',
  'attends Narcotics Anonymous',
  'Applied for SNAP and Medicaid',
  'is on the Section 8 waiting list',
  'Family Court hearing',
  'Referred to Hope House',
  'was promoted to shift lead',
  'got a job as a cashier at the gas station',
  'Her son will attend summer school',
  'may lose the apartment',
  'Hired by a temp agency',
  'uses a walker at home',
  'Foster care placement was disrupted',
  'Bail was set',
  'Started Suboxone at the clinic',
  'Van broke down again',
  'Crystal meth use resumed',
  'Christian church provides food boxes',
  'Chase Bank closed her account',
  'Salvation Army gave her a coat',
  'Works at home doing transcription',
  'Job Corps application submitted',
  'started at the community college in August',
  'works part time at the hospital cafeteria',
  'was let go from the distribution centre',
  'United Way helped with the deposit',
  'Sunny days lift her mood',
  'Frank conversation about drinking',
  'Grant application for the deposit was approved',
  'Price of rent went up',
  'Miles from the bus line',
];
