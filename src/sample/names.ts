/** Fake names, places and other slot values. All invented; addresses and phones are fictional. */

export const FEMALE_FIRST = [
  'Maria', 'Jennifer', 'Aaliyah', 'Zoë', 'Chloé', 'Renée', 'Sofía', 'María', 'Ashley', 'Keisha',
  'Linda', 'Patricia', 'Mai', 'Thảo', 'Fatima', 'Amara', 'Siobhán', 'Nadia', 'Brianna', 'Destiny',
  'Mary-Kate', 'Ana', 'Lucía', 'Grace', 'Hannah', 'Tamika', 'Crystal', 'Emily', 'Jasmine', 'Rosa',
  'Inés', 'Dolores', 'Latoya', 'Megan', 'Samantha', 'Yesenia', 'Naomi', 'Olivia', 'Beatriz', 'Kimberly',
  'Noémie', 'Anne-Marie', 'Precious', 'Tiffany', 'Guadalupe', 'Amina', 'Hye-jin', 'Leilani', 'Ruth', 'Shanice',
] as const;

export const MALE_FIRST = [
  'José', 'James', 'DeShawn', 'Michael', 'André', 'Jesús', 'Ramón', 'Carlos', 'Tyrone', 'Kevin',
  'Robert', 'Luis', 'Minh', 'Ahmed', 'Jean-Luc', 'Darnell', 'Brandon', 'Christopher', 'Juan', 'Marcus',
  'William', 'Anthony', 'Tomás', 'Efraín', 'Malik', 'Jamal', 'Daniel', 'David', 'Joseph', 'Kwame',
  'Raúl', 'Héctor', 'Terrence', 'Dmitri', 'Patrick', 'Sean', 'Travis', 'Cody', 'Óscar', 'Tuấn',
  'Jerome', 'Isaiah', 'Gabriel', 'Mohammed', 'François', 'Eli', 'Dante', 'Victor', 'Wei', 'Rashad',
] as const;

export const NEUTRAL_FIRST = [
  'Alex', 'Jordan', 'Taylor', 'Riley', 'Casey', 'Jamie', 'Morgan', 'Avery', 'Rowan', 'Sam', 'Noa', 'River',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez',
  "O'Brien", "O'Neill", "D'Angelo", 'Smith-Jones', 'Lopez-Rivera', 'Núñez', 'Muñoz', 'Nguyen', 'Tran', 'Pham',
  'Okafor', 'Mensah', 'Kowalski', 'Novak', 'Müller', 'Schröder', 'Brown', 'Jones', 'Davis', 'Miller',
  'Wilson', 'Moore', 'Taylor', 'Anderson', 'Thomas', 'Jackson', 'White', 'Harris', 'Martin', 'Thompson',
  'Robinson', 'Clark', 'Lewis', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill',
  'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell', 'Roberts', 'Turner', 'Phillips', 'Campbell',
  'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Sánchez', 'Morris', 'Rogers', 'Reed', 'Cook',
  'Morgan', 'Bell', 'Murphy', 'Bailey', 'Rivera', 'Cooper', 'Richardson', 'Cox', 'Howard', 'Ward',
  'Torres', 'Peterson', 'Gray', 'Ramírez', 'James', 'Watson', 'Brooks', 'Kelly', 'Sanders', 'Price',
  'Bennett', 'Wood', 'Barnes', 'Ross', 'Henderson', 'Coleman', 'Jenkins', 'Perry', 'Powell', 'Long',
  'Van Dyke', 'De la Cruz', 'Al-Sayed', 'Abdi', 'Haile', 'Yazzie', 'Begay', 'Kim', 'Park', 'Chen',
  'Singh', 'Patel', 'Ali', 'Hussein', 'Ortiz', 'Cruz', 'Reyes', 'Morales', 'Gutiérrez', 'Jiménez',
] as const;

export const STREET_NAMES = [
  'Maple', 'Oak', 'Cedar', 'Elm', 'Pine', 'Willow', 'Birch', 'Chestnut', 'Walnut', 'Spruce',
  'Lincoln', 'Washington', 'Jefferson', 'Franklin', 'Madison', 'Jackson', 'Park', 'Lake', 'Hill', 'River',
  'Sunset', 'Highland', 'Meadow', 'Orchard', 'Church', 'Mill', 'Spring', 'Railroad', 'Market', 'Union',
] as const;

export const STREET_SUFFIXES = ['Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Boulevard', 'Way', 'Place'] as const;

export const CITIES = [
  'Springfield', 'Riverton', 'Fairview', 'Lakeside', 'Georgetown', 'Millbrook', 'Oakdale', 'Brookhaven',
  'Cedar Falls', 'Westfield', 'Harbor City', 'Pine Ridge',
] as const;

export const EMPLOYERS = [
  'the warehouse', 'a call centre', 'Riverside Foods', 'the distribution centre', 'a hotel downtown',
  'the hospital cafeteria', 'Quick Mart', 'the car wash on Route 9', 'Sunrise Senior Living', 'the Amazon facility',
  'a landscaping company', 'the grocery store', 'Metro Cleaning Services', 'the county parks department', 'a pizza place',
] as const;

export const JOBS = [
  'cashier', 'forklift operator', 'home health aide', 'line cook', 'security guard', 'janitor', 'delivery driver',
  'stocker', 'dishwasher', 'CNA', 'warehouse associate', 'housekeeper', 'barista', 'receptionist', 'mechanic',
] as const;

export const CLINICS = [
  'the Eastside clinic', 'Riverside Health Center', 'the free clinic on 3rd Street', 'Hope Community Health',
  'the county behavioral health office', 'St. Luke’s outpatient', 'the walk-in clinic',
] as const;

export const SCHOOLS = [
  'the community college', 'Lincoln High', 'the adult learning centre', 'Westfield Tech', 'the GED programme',
  'Roosevelt Middle School', 'the job training institute',
] as const;

export const KIDS = [
  'Jayden', 'Mia', 'Elijah', 'Ava', 'Noah', 'Isabella', 'Liam', 'Aria', 'Mateo', 'Zoe', 'Kai', 'Amir', 'Layla', 'Nevaeh', 'Dominic',
] as const;

export const RELATIVES = ['sister', 'brother', 'mother', 'father', 'aunt', 'cousin', 'grandmother', 'uncle'] as const;

export const DRUGS = ['alcohol', 'opioids', 'meth', 'cocaine', 'cannabis', 'pills'] as const;

export const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'] as const;

export const NUM_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'] as const;

/** Area codes used for fake phones (the 555-01xx exchange is reserved for fiction). */
export const AREA_CODES = [
  '212', '217', '303', '312', '404', '415', '503', '512', '602', '614', '617', '702', '713', '801', '919', '971',
] as const;

/** Strip diacritics (José -> Jose); all names above decompose under NFD. */
export function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}
