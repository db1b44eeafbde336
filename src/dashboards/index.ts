export { chartSchema, dashboardSchema, headlineSchema, listSchema, roleSchema, ROLES, MARKS, FILTERS, type Chart, type Dashboard, type Headline, type List, type Role } from './schema.ts';
export { loadDashboards, checkDashboardRefs, type KpiShape, type LoadedDashboards } from './load.ts';
export { renderDashboard, renderDashboardBody, layout, filterBar, type DashboardContext, type FilterOptions, type FilterState, type NavItem, type PageUser, type Denied, type ListData } from './render.ts';
export { renderCaseList, renderCaseView, type CaseListPage, type CasePage } from './case.ts';
export { renderChart, renderPairs, sparkline, dataTable, esc, fmt, type ColumnInfo, type Pair, type PairGroup, type Row } from './charts.ts';
