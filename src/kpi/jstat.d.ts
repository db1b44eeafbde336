// jstat ships no type declarations; only the parts caselens uses are declared here.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
    inv(p: number, ...params: number[]): number;
    pdf(x: number, ...params: number[]): number;
  }
  interface JStatStatic {
    studentt: Distribution;
    normal: Distribution;
  }
  const jStat: JStatStatic;
  export default jStat;
}
