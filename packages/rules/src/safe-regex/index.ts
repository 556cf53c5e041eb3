export { compileSafeRegex, MAX_STATES, MAX_SUBJECT_LENGTH, type CompiledRegex } from "./matcher";
export { foldText, MAX_COUNTED_REPEAT, MAX_PATTERN_LENGTH, RegexSyntaxError } from "./syntax";
