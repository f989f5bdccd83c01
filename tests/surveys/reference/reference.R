# Reference figures for panelsite's design-based statistics, computed with R's survey package.
#
#     Rscript tests/surveys/reference/reference.R     # writes reference.csv beside this script
#
# R is not a dependency of panelsite: the tests read reference.csv. Regenerate it after
# changing the data (generate.py) or this script; it records the R and survey versions.
# On Debian: apt-get install r-base-core r-cran-survey. reference.csv was made with
# survey 4.5 (CRAN's source, R CMD INSTALL into a private library, used via R_LIBS);
# Debian's 4.1.1 gives the same figures except svychisq's denominator degrees of freedom:
# survey 4.4 and older count every respondent of a calibrated design there (nu = n - 1),
# 4.5 and panelsite the respondents in the question's base (degf(): nu = n_base - 1);
# p-values then differ by less than 0.002.
#
# Two rounds of a panel survey (round_a.csv, round_b.csv; see generate.py), raked to the
# population margins of age, sex and district scaled to the round's size (as panelsite
# does, so the weights average 1), and round b once more unweighted. For every base
# (the total, each district, each age group):
#   estimates   svymean(), na.rm = TRUE: shares (0-1) and means with their standard errors;
#               a group is subset() of the design (domain estimation);
#   group tests the group against the rest of the municipality within the question's base:
#               for a share or a mean, the coefficient of svyglm(y ~ side) (rest minus group,
#               with its linearised SE; p of the two-sided z test); for the answer distribution
#               svychisq(~side + answer, statistic = "F") (Rao-Scott second-order correction);
#   changes     round b minus round a for every figure of the total, SE = sqrt(se_a^2 + se_b^2).

suppressMessages(library(survey))

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))

population <- list(
  leeftijd = c("18-34" = 300, "35-64" = 500, "65+" = 200),
  geslacht = c("man" = 490, "vrouw" = 510),
  wijk = c("Centrum" = 400, "Noord" = 350, "Zuid" = 250)
)
breakdowns <- c("wijk", "leeftijd")

read_round <- function(name) {
  d <- read.csv(file.path(here, name), colClasses = "character", na.strings = "")
  for (v in names(population)) d[[v]] <- factor(d[[v]], levels = names(population[[v]]))
  for (v in c("q1", "q2", "q3_1", "q3_2", "q3_3", "q4", "q5")) d[[v]] <- as.numeric(d[[v]])
  d$q1[d$q1 == 9] <- NA  # "weet niet": reported apart, not in the base
  d$q1_answer <- factor(d$q1, levels = 1:5)
  d$q1_top2 <- as.numeric(d$q1 >= 4)
  d$q2_answer <- factor(d$q2, levels = 1:10)
  d$q2_8plus <- as.numeric(d$q2 >= 8)
  d$q2_below6 <- as.numeric(d$q2 < 6)
  d$q3_key <- as.numeric(d$q3_1 == 1 | d$q3_3 == 1)  # key: [1, 3], chose either
  d$q5_answer <- factor(d$q5, levels = 1:3)
  d$q5_key <- as.numeric(d$q5 == 1)
  # for svychisq, answers as given (an answer nobody gave would be an empty column: NaN)
  for (q in c("q1", "q2", "q5")) d[[paste0(q, "_given")]] <- factor(d[[q]])
  d
}

design_of <- function(d, raked) {
  des <- svydesign(ids = ~1, weights = ~rep(1, nrow(d)), data = d)
  if (!raked) return(des)
  margins <- lapply(names(population), function(v) {
    frame <- data.frame(factor(names(population[[v]]), levels = names(population[[v]])),
                        population[[v]] / sum(population[[v]]) * nrow(d))
    names(frame) <- c(v, "Freq")
    frame
  })
  formulas <- lapply(names(population), function(v) as.formula(paste0("~", v)))
  rake(des, formulas, margins, control = list(maxit = 200, epsilon = 1e-12))
}

# statistic name, question, code, the variable whose mean it is
figures <- rbind(
  data.frame(statistic = "pct", question = "q1", code = 1:5, variable = paste0("q1_answer", 1:5)),
  data.frame(statistic = "top2", question = "q1", code = NA, variable = "q1_top2"),
  data.frame(statistic = "mean", question = "q2", code = NA, variable = "q2"),
  data.frame(statistic = "pct", question = "q2", code = 1:10, variable = paste0("q2_answer", 1:10)),
  data.frame(statistic = "share_8plus", question = "q2", code = NA, variable = "q2_8plus"),
  data.frame(statistic = "share_below6", question = "q2", code = NA, variable = "q2_below6"),
  data.frame(statistic = "pct", question = "q3", code = 1:3, variable = paste0("q3_", 1:3)),
  data.frame(statistic = "key", question = "q3", code = NA, variable = "q3_key"),
  data.frame(statistic = "mean", question = "q4", code = NA, variable = "q4"),
  data.frame(statistic = "pct", question = "q5", code = 1:3, variable = paste0("q5_answer", 1:3)),
  data.frame(statistic = "key", question = "q5", code = NA, variable = "q5_key")
)
terms <- list(q1 = ~q1_answer + q1_top2, q2 = ~q2 + q2_answer + q2_8plus + q2_below6,
              q3 = ~q3_1 + q3_2 + q3_3 + q3_key, q4 = ~q4, q5 = ~q5_answer + q5_key)
key_variable <- c(q1 = "q1_top2", q2 = "q2", q3 = "q3_key", q4 = "q4", q5 = "q5_key")
key_statistic <- c(q1 = "top2", q2 = "mean", q3 = "key", q4 = "mean", q5 = "key")
answer_variable <- c(q1 = "q1_given", q2 = "q2_given", q5 = "q5_given")
base_variable <- c(q1 = "q1", q2 = "q2", q3 = "q3_1", q4 = "q4", q5 = "q5")

record <- function(...) data.frame(..., stringsAsFactors = FALSE)
empty <- record(round = character(), design = character(), kind = character(), breakdown = character(),
                group = character(), question = character(), statistic = character(), code = numeric(),
                value = numeric(), se = numeric(), p = numeric(), f = numeric(), ndf = numeric(), ddf = numeric())

estimates <- function(des, round, kind, breakdown, group) {
  out <- empty
  for (q in names(terms)) {
    m <- svymean(terms[[q]], des, na.rm = TRUE)
    se <- SE(m)
    names(se) <- names(coef(m))  # SE() of a single variable has no names
    rows <- figures[figures$question == q, ]
    out <- rbind(out, record(round = round, design = kind, kind = "estimate", breakdown = breakdown, group = group,
                             question = q, statistic = rows$statistic, code = rows$code,
                             value = unname(coef(m)[rows$variable]), se = unname(se[rows$variable]),
                             p = NA, f = NA, ndf = NA, ddf = NA))
  }
  out
}

group_tests <- function(des, round, kind, breakdown, group) {
  ingroup <- des$variables[[breakdown]] == group
  des <- update(des, side = factor(ifelse(ingroup, "group", "rest"), levels = c("group", "rest")))
  out <- empty
  for (q in names(terms)) {
    asked <- subset(des, !is.na(des$variables[[base_variable[[q]]]]))
    # the coefficient of side in a regression on it is the rest minus the group, with the
    # design-based (linearised, raking-adjusted) SE of that difference
    model <- svyglm(as.formula(paste0(key_variable[[q]], " ~ side")), asked)
    diff <- -unname(coef(model)["siderest"]); se <- unname(SE(model)["siderest"])
    out <- rbind(out, record(round = round, design = kind, kind = "group_test", breakdown = breakdown, group = group,
                             question = q, statistic = key_statistic[[q]], code = NA, value = diff, se = se,
                             p = 2 * pnorm(-abs(diff / se)), f = NA, ndf = NA, ddf = NA))
    if (q %in% names(answer_variable)) {
      test <- svychisq(as.formula(paste0("~side + ", answer_variable[[q]])), asked, statistic = "F")
      out <- rbind(out, record(round = round, design = kind, kind = "distribution_test", breakdown = breakdown,
                               group = group, question = q, statistic = "distribution", code = NA, value = NA,
                               se = NA, p = unname(test$p.value), f = unname(test$statistic),
                               ndf = unname(test$parameter[1]), ddf = unname(test$parameter[2])))
    }
  }
  out
}

analyse <- function(d, round, kind) {
  des <- design_of(d, kind == "raked")
  out <- estimates(des, round, kind, "", "")
  for (b in breakdowns) {
    for (g in levels(d[[b]])) {
      # a calibrated design keeps the other respondents with weight 0; an uncalibrated one drops them
      out <- rbind(out, estimates(subset(des, des$variables[[b]] == g), round, kind, b, g))
      out <- rbind(out, group_tests(des, round, kind, b, g))
    }
  }
  out
}

a <- analyse(read_round("round_a.csv"), "a", "raked")
b <- analyse(read_round("round_b.csv"), "b", "raked")
plain <- analyse(read_round("round_b.csv"), "b", "plain")

totals_a <- a[a$kind == "estimate" & a$breakdown == "", ]
totals_b <- b[b$kind == "estimate" & b$breakdown == "", ]
stopifnot(identical(totals_a$statistic, totals_b$statistic), identical(totals_a$code, totals_b$code))
diff <- totals_b$value - totals_a$value
se <- sqrt(totals_a$se^2 + totals_b$se^2)
changes <- totals_b
changes$kind <- "change"
changes$value <- diff
changes$se <- se
changes$p <- 2 * pnorm(-abs(diff / se))

out <- rbind(a, b, plain, changes)
header <- sprintf("# %s, survey %s", R.version.string, as.character(packageVersion("survey")))
file <- file.path(here, "reference.csv")
writeLines(header, file)
suppressWarnings(write.table(out, file, sep = ",", row.names = FALSE, append = TRUE, na = ""))  # 15 digits
cat("wrote", nrow(out), "rows to", file, "\n")
