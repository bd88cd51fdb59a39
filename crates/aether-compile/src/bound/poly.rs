//! Fuel bounds as polynomials over what a state holds.
//!
//! A bound is a sum of terms `coefficient × factor × factor …` whose factors are the state's
//! measures ([`Var`]: units, map size, the largest stats) or non-polynomial pieces of them
//! (`min(2*M+2, H+1)`, `T/64`, `log(E)`), kept whole as opaque factors. Every coefficient and
//! every measure is ≥ 0 and every factor grows with the measures, so a bound grows with every
//! measure, and the coefficient-wise maximum of two bounds is at least the larger of them: the
//! bound of "one branch or the other".
//!
//! The text form is also the grammar of the loop annotations in `runtime.wat` and of the
//! `fuel_bound` a mod's manifest carries: numbers, the variables below, `+`, `*`, `/` by a
//! number (rounding down), parentheses, `min(a, b)`, `max(a, b)` and `log(a)` (the bits `a`
//! takes: 0 for 0, 1 for 1, 2 for 2 and 3, …).

use std::collections::BTreeMap;
use std::fmt;

/// A measure of the state a turn is played on (the state as the player sees it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Var {
    /// Units in the state, `U`.
    U,
    /// The player's own units, `O`.
    O,
    /// Units of other players, `E`.
    E,
    /// Map width, `W`.
    W,
    /// Map height, `H`.
    H,
    /// Tiles, `T` (= W × H).
    T,
    /// Players, `P`.
    P,
    /// The most move points of any unit, `M`.
    M,
    /// The longest range of any unit, `R`.
    R,
    /// The farthest sight of the player's own units, `S`.
    S,
    /// The largest moves + range of any unit, `A`.
    A,
}

impl Var {
    /// Every variable, in the order documentation lists them.
    pub const ALL: [Var; 11] = [
        Var::U,
        Var::O,
        Var::E,
        Var::W,
        Var::H,
        Var::T,
        Var::P,
        Var::M,
        Var::R,
        Var::S,
        Var::A,
    ];

    /// Its letter.
    pub fn letter(self) -> char {
        match self {
            Var::U => 'U',
            Var::O => 'O',
            Var::E => 'E',
            Var::W => 'W',
            Var::H => 'H',
            Var::T => 'T',
            Var::P => 'P',
            Var::M => 'M',
            Var::R => 'R',
            Var::S => 'S',
            Var::A => 'A',
        }
    }

    /// What it measures, in words.
    pub fn meaning(self) -> &'static str {
        match self {
            Var::U => "units in the state the AI sees",
            Var::O => "the AI's own units",
            Var::E => "other players' units it sees",
            Var::W => "map width in tiles",
            Var::H => "map height in tiles",
            Var::T => "tiles (width × height)",
            Var::P => "players",
            Var::M => "the most move points of any unit",
            Var::R => "the longest range of any unit",
            Var::S => "the farthest sight of the AI's own units",
            Var::A => "the largest moves + range of any unit",
        }
    }

    fn from_letter(c: char) -> Option<Var> {
        Var::ALL.into_iter().find(|v| v.letter() == c)
    }
}

/// Values of every [`Var`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measures {
    values: [u64; 11],
}

impl Measures {
    /// Measures with these values, in [`Var::ALL`] order.
    pub fn from_values(values: [u64; 11]) -> Self {
        Self { values }
    }

    /// The value of `v`.
    pub fn get(&self, v: Var) -> u64 {
        self.values[v as usize]
    }

    /// Sets `v`.
    pub fn set(&mut self, v: Var, value: u64) {
        self.values[v as usize] = value;
    }
}

/// A factor that is not a plain variable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Factor {
    /// A measure.
    Var(Var),
    /// The smaller of two bounds.
    Min(Poly, Poly),
    /// The larger of two bounds.
    Max(Poly, Poly),
    /// A bound divided by a number, rounding down.
    Div(Poly, u64),
    /// The bits a bound's value takes.
    Log(Poly),
}

impl Factor {
    fn eval(&self, m: &Measures) -> u128 {
        match self {
            Factor::Var(v) => u128::from(m.get(*v)),
            Factor::Min(a, b) => a.eval128(m).min(b.eval128(m)),
            Factor::Max(a, b) => a.eval128(m).max(b.eval128(m)),
            Factor::Div(a, d) => a.eval128(m) / u128::from((*d).max(1)),
            Factor::Log(a) => u128::from(128 - a.eval128(m).leading_zeros()),
        }
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Factor::Var(v) => write!(f, "{}", v.letter()),
            Factor::Min(a, b) => write!(f, "min({a}, {b})"),
            Factor::Max(a, b) => write!(f, "max({a}, {b})"),
            Factor::Div(a, d) if a.terms.len() == 1 => write!(f, "{a}/{d}"),
            Factor::Div(a, d) => write!(f, "({a})/{d}"),
            Factor::Log(a) => write!(f, "log({a})"),
        }
    }
}

/// A sum of terms, each a coefficient times factors (kept sorted; the empty product is 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Poly {
    terms: BTreeMap<Vec<Factor>, u64>,
}

impl Poly {
    /// The constant `c`.
    pub fn constant(c: u64) -> Poly {
        let mut p = Poly::default();
        if c > 0 {
            p.terms.insert(Vec::new(), c);
        }
        p
    }

    /// The variable `v`.
    pub fn var(v: Var) -> Poly {
        Poly::factor(Factor::Var(v))
    }

    fn factor(f: Factor) -> Poly {
        let mut p = Poly::default();
        p.terms.insert(vec![f], 1);
        p
    }

    /// Its terms, each as a bound of its own (for showing where a bound comes from).
    pub fn terms(&self) -> impl Iterator<Item = Poly> + '_ {
        self.terms.iter().map(|(k, c)| {
            let mut p = Poly::default();
            p.terms.insert(k.clone(), *c);
            p
        })
    }

    /// Whether it is 0.
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// `self + other`.
    pub fn add(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }

    /// `self += other`.
    pub fn add_assign(&mut self, other: &Poly) {
        for (k, c) in &other.terms {
            let e = self.terms.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*c);
        }
    }

    /// `self × other`.
    pub fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::default();
        for (a, x) in &self.terms {
            for (b, y) in &other.terms {
                let mut k: Vec<Factor> = a.iter().chain(b).cloned().collect();
                k.sort();
                let e = out.terms.entry(k).or_insert(0);
                *e = e.saturating_add(x.saturating_mul(*y));
            }
        }
        out
    }

    /// `self × c`.
    pub fn scale(&self, c: u64) -> Poly {
        self.mul(&Poly::constant(c))
    }

    /// A bound of both: the larger coefficient of every term (at least the larger of the two
    /// for every measure, since nothing is negative).
    pub fn either(&self, other: &Poly) -> Poly {
        let mut out = self.clone();
        for (k, c) in &other.terms {
            let e = out.terms.entry(k.clone()).or_insert(0);
            *e = (*e).max(*c);
        }
        out
    }

    fn eval128(&self, m: &Measures) -> u128 {
        self.terms.iter().fold(0u128, |sum, (k, c)| {
            let term = k
                .iter()
                .fold(u128::from(*c), |p, f| p.saturating_mul(f.eval(m)));
            sum.saturating_add(term)
        })
    }

    /// Its value for `m` (`u64::MAX` when it does not fit).
    pub fn eval(&self, m: &Measures) -> u64 {
        u64::try_from(self.eval128(m)).unwrap_or(u64::MAX)
    }

    /// Parses the grammar of the module documentation; the error says where it stops.
    pub fn parse(text: &str) -> Result<Poly, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        let out = p.sum()?;
        p.space();
        if p.at != p.s.len() {
            return Err(format!(
                "unexpected \"{}\" at character {} of \"{text}\"",
                &text[p.at..],
                p.at + 1
            ));
        }
        Ok(out)
    }
}

impl fmt::Display for Poly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.terms.is_empty() {
            return f.write_str("0");
        }
        // Highest degree first, the constant last.
        let mut terms: Vec<_> = self.terms.iter().collect();
        terms.sort_by(|(a, _), (b, _)| b.len().cmp(&a.len()).then(a.cmp(b)));
        for (i, (k, c)) in terms.into_iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            let factors: Vec<String> = k
                .iter()
                .map(|x| match x {
                    Factor::Min(..) | Factor::Max(..) | Factor::Log(..) | Factor::Var(_) => {
                        x.to_string()
                    }
                    Factor::Div(..) => format!("({x})"),
                })
                .collect();
            match (factors.is_empty(), *c) {
                (true, c) => write!(f, "{c}")?,
                (false, 1) => write!(f, "{}", factors.join("*"))?,
                (false, c) => write!(f, "{c}*{}", factors.join("*"))?,
            }
        }
        Ok(())
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.space();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn sum(&mut self) -> Result<Poly, String> {
        let mut out = self.product()?;
        while self.eat(b'+') {
            out.add_assign(&self.product()?);
        }
        Ok(out)
    }

    fn product(&mut self) -> Result<Poly, String> {
        let mut out = self.atom()?;
        loop {
            if self.eat(b'*') {
                out = out.mul(&self.atom()?);
            } else if self.eat(b'/') {
                self.space();
                let d = self.number()?;
                if d == 0 {
                    return Err(format!("division by 0 at character {}", self.at));
                }
                out = Poly::factor(Factor::Div(out, d));
            } else {
                return Ok(out);
            }
        }
    }

    fn number(&mut self) -> Result<u64, String> {
        let start = self.at;
        while self.s.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        std::str::from_utf8(&self.s[start..self.at])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| format!("a number was expected at character {}", start + 1))
    }

    fn args(&mut self) -> Result<Vec<Poly>, String> {
        if !self.eat(b'(') {
            return Err(format!("\"(\" was expected at character {}", self.at + 1));
        }
        let mut out = vec![self.sum()?];
        while self.eat(b',') {
            out.push(self.sum()?);
        }
        if !self.eat(b')') {
            return Err(format!("\")\" was expected at character {}", self.at + 1));
        }
        Ok(out)
    }

    fn atom(&mut self) -> Result<Poly, String> {
        self.space();
        let rest = &self.s[self.at..];
        if rest.first().is_some_and(u8::is_ascii_digit) {
            return self.number().map(Poly::constant);
        }
        if self.eat(b'(') {
            let inner = self.sum()?;
            if !self.eat(b')') {
                return Err(format!("\")\" was expected at character {}", self.at + 1));
            }
            return Ok(inner);
        }
        for (name, arity) in [("min", 2), ("max", 2), ("log", 1)] {
            if rest.starts_with(name.as_bytes()) {
                self.at += name.len();
                let mut args = self.args()?;
                if args.len() != arity {
                    return Err(format!("{name} takes {arity} argument(s)"));
                }
                let b = args.pop().unwrap_or_default();
                return Ok(Poly::factor(match name {
                    "min" => Factor::Min(args.pop().unwrap_or_default(), b),
                    "max" => Factor::Max(args.pop().unwrap_or_default(), b),
                    _ => Factor::Log(b),
                }));
            }
        }
        match rest.first().map(|&c| Var::from_letter(c as char)) {
            Some(Some(v)) => {
                self.at += 1;
                Ok(Poly::var(v))
            }
            _ => Err(format!(
                "a number, a variable (U O E W H T P M R S A), min, max, log or \"(\" was expected at character {}",
                self.at + 1
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(u: u64, w: u64, h: u64) -> Measures {
        let mut m = Measures::default();
        m.set(Var::U, u);
        m.set(Var::W, w);
        m.set(Var::H, h);
        m.set(Var::T, w * h);
        m
    }

    #[test]
    fn parses_evaluates_and_prints_back() {
        let p = Poly::parse("2*U*(H+1) + T/64 + min(2*U+2, H+1) + log(U) + 5").unwrap();
        // U = 10, 20 × 30: 2*10*31 + 600/64 + min(22, 31) + 4 + 5.
        assert_eq!(p.eval(&m(10, 20, 30)), 620 + 9 + 22 + 4 + 5);
        let again = Poly::parse(&p.to_string()).unwrap();
        assert_eq!(again, p, "{p}");
        assert!(Poly::parse("2*X").is_err());
        assert!(Poly::parse("U/0").is_err());
        assert!(Poly::parse("min(U)").is_err());
    }

    #[test]
    fn the_maximum_bounds_both_branches() {
        let a = Poly::parse("3*U + 10").unwrap();
        let b = Poly::parse("U*H + 20").unwrap();
        let both = a.either(&b);
        for (u, h) in [(0, 0), (1, 1), (5, 2), (100, 3)] {
            let at = m(u, 1, h);
            assert!(both.eval(&at) >= a.eval(&at).max(b.eval(&at)));
        }
    }
}
