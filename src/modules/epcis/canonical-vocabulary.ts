// Standard vocabulary of the EPCIS 2.0 JSON-LD context (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld),
// used by the Event Hash ID canonicalisation: CBV 2.0 §8.9 (ALGORITHM-README rule 16) requires every standard
// vocabulary value that JSON-LD writes as a bare string ("shipping", "in_transit", "Temperature") to appear in the
// pre-hash string as its full Web URI. The context scopes each term list to one field ("@type": "@vocab" with a
// nested @context), so a bare word is expanded only in the field whose context defines it and only when it is one
// of that field's terms; any other string is left as it is, as JSON-LD expansion does.
// The lists are copied from the context's scoped term definitions (every term `x` there maps to `<prefix>x`).

/** Terms of `bizStep` (all 41 of them). */
const BIZ_STEPS: readonly string[] = [
  'accepting', 'arriving', 'assembling', 'collecting', 'commissioning', 'consigning', 'creating_class_instance',
  'cycle_counting', 'decommissioning', 'departing', 'destroying', 'disassembling', 'dispensing', 'encoding',
  'entering_exiting', 'holding', 'inspecting', 'installing', 'killing', 'loading', 'other', 'packing', 'picking',
  'receiving', 'removing', 'repackaging', 'repairing', 'replacing', 'reserving', 'retail_selling', 'sampling',
  'sensor_reporting', 'shipping', 'staging_outbound', 'stock_taking', 'stocking', 'storing', 'transporting',
  'unloading', 'unpacking', 'void_shipping',
];

/** Terms of `disposition and persistentDisposition set/unset` (all 33 of them). */
const DISPOSITIONS: readonly string[] = [
  'active', 'available', 'completeness_inferred', 'completeness_verified', 'conformant', 'container_closed',
  'container_open', 'damaged', 'destroyed', 'dispensed', 'disposed', 'encoded', 'expired', 'in_progress',
  'in_transit', 'inactive', 'mismatch_class', 'mismatch_instance', 'mismatch_quantity', 'needs_replacement',
  'no_pedigree_match', 'non_conformant', 'non_sellable_other', 'partially_dispensed', 'recalled', 'reserved',
  'retail_sold', 'returned', 'sellable_accessible', 'sellable_not_accessible', 'stolen', 'unavailable', 'unknown',
];

/** Terms of `bizTransactionList[].type` (all 13 of them). */
const BIZ_TRANSACTION_TYPES: readonly string[] = [
  'bol', 'cert', 'desadv', 'inv', 'pedigree', 'po', 'poc', 'prodorder', 'recadv', 'rma', 'testprd', 'testres',
  'upevt',
];

/** Terms of `sourceList[].type and destinationList[].type` (all 3 of them). */
const SOURCE_DESTINATION_TYPES: readonly string[] = [
  'location', 'owning_party', 'possessing_party',
];

/** Terms of `errorDeclaration.reason` (all 2 of them). */
const ERROR_REASONS: readonly string[] = [
  'did_not_occur', 'incorrect_data',
];

/** Terms of `sensorReport.type` (all 72 of them). */
const MEASUREMENT_TYPES: readonly string[] = [
  'AbsoluteHumidity', 'AbsorbedDose', 'AbsorbedDoseRate', 'Acceleration', 'Altitude', 'AmountOfSubstance',
  'AmountOfSubstancePerUnitVolume', 'Angle', 'AngularAcceleration', 'AngularMomentum', 'AngularVelocity', 'Area',
  'Capacitance', 'Conductance', 'Conductivity', 'Count', 'Density', 'Dimensionless', 'DoseEquivalent',
  'DoseEquivalentRate', 'DynamicViscosity', 'ElectricCharge', 'ElectricCurrent', 'ElectricCurrentDensity',
  'ElectricFieldStrength', 'Energy', 'Exposure', 'Force', 'Frequency', 'Illuminance', 'Inductance', 'Irradiance',
  'KinematicViscosity', 'Length', 'LinearMomentum', 'Luminance', 'LuminousFlux', 'LuminousIntensity', 'MagneticFlux',
  'MagneticFluxDensity', 'MagneticVectorPotential', 'Mass', 'MassConcentration', 'MassFlowRate', 'MassPerAreaTime',
  'MemoryCapacity', 'MolalityOfSolute', 'MolarEnergy', 'MolarMass', 'MolarVolume', 'Power', 'Pressure',
  'RadiantFlux', 'RadiantIntensity', 'Radioactivity', 'RelativeHumidity', 'Resistance', 'Resistivity', 'SolidAngle',
  'SpecificVolume', 'Speed', 'SurfaceDensity', 'SurfaceTension', 'Temperature', 'Time', 'Torque', 'Voltage',
  'Volume', 'VolumeFlowRate', 'VolumeFraction', 'VolumetricFlux', 'Wavenumber',
];

/** Terms of `sensorReport.exception` (all 2 of them). */
const SENSOR_ALERT_TYPES: readonly string[] = [
  'ALARM_CONDITION', 'ERROR_CONDITION',
];

/** Terms of `sensorReport.component` (all 14 of them). */
const COMPONENTS: readonly string[] = [
  'altitude', 'axial_distance', 'azimuth', 'easting', 'elevation_angle', 'height', 'latitude', 'longitude',
  'northing', 'polar_angle', 'spherical_radius', 'x', 'y', 'z',
];

/** The fields whose bare-string values are standard vocabulary, with the Web URI prefix of their terms. */
export type VocabularyField =
  | 'bizStep'
  | 'disposition'
  | 'bizTransactionType'
  | 'sourceDestinationType'
  | 'errorReason'
  | 'measurementType'
  | 'sensorAlertType'
  | 'component';

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';

const VOCABULARIES: Readonly<Record<VocabularyField, { readonly prefix: string; readonly terms: ReadonlySet<string> }>> = {
  bizStep: { prefix: `${CBV}BizStep-`, terms: new Set(BIZ_STEPS) },
  disposition: { prefix: `${CBV}Disp-`, terms: new Set(DISPOSITIONS) },
  bizTransactionType: { prefix: `${CBV}BTT-`, terms: new Set(BIZ_TRANSACTION_TYPES) },
  sourceDestinationType: { prefix: `${CBV}SDT-`, terms: new Set(SOURCE_DESTINATION_TYPES) },
  errorReason: { prefix: `${CBV}ER-`, terms: new Set(ERROR_REASONS) },
  // The context maps measurement and alert types to the gs1: prefix, https://gs1.org/voc/ (not ref.gs1.org as
  // the README's example says); the reference vectors agree with the context.
  measurementType: { prefix: GS1_VOC, terms: new Set(MEASUREMENT_TYPES) },
  sensorAlertType: { prefix: GS1_VOC, terms: new Set(SENSOR_ALERT_TYPES) },
  component: { prefix: `${CBV}Comp-`, terms: new Set(COMPONENTS) },
};

/** The Web URI of a bare standard term of `field` ("shipping" → https://ref.gs1.org/cbv/BizStep-shipping), else undefined. */
export function expandBareTerm(field: VocabularyField, value: string): string | undefined {
  const vocabulary = VOCABULARIES[field];
  return vocabulary.terms.has(value) ? vocabulary.prefix + value : undefined;
}

/**
 * CBV 1.x URNs of the standard vocabularies and their CBV 2.0 Web URI equivalents (rule 14:
 * urn:epcglobal:cbv:bizstep:receiving → https://ref.gs1.org/cbv/BizStep-receiving). Other urn:epcglobal:cbv: URNs
 * (business transaction ids urn:epcglobal:cbv:bt:…, master-data attributes urn:epcglobal:cbv:mda:…) are
 * identifiers, not vocabulary, and stay as they are.
 */
const CBV_URN_PREFIXES: readonly (readonly [string, string])[] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

/** A CBV 1.x vocabulary URN as its CBV 2.0 Web URI; any other value unchanged. */
export function cbvUrnToWebUri(value: string): string {
  for (const [urn, web] of CBV_URN_PREFIXES) {
    if (value.startsWith(urn)) return web + value.slice(urn.length);
  }
  return value;
}
