export { chartSchema, dashboardSchema, roleSchema, ROLES, type Dashboard, type Role } from './schema.ts';
