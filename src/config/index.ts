export { CONFIG_FILE, configSchema, loadConfig, type Config, type LoadConfigOptions } from './config.ts';
export { interpolateEnv, readStructuredFile, zodProblems } from './yaml-file.ts';
